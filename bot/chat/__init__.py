"""Chat sinks and the chat-neutral message model they render."""
