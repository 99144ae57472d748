"""The trade-policy decision: is a story trade policy, how surely, why, with which tags."""
