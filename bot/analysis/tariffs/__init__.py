"""The tariff changes a story reports, read by an ordered table of small named rules
(see docs/analysis.md)."""
