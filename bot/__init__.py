"""TradeWatch: trade-policy news, read like an analyst, alerted to chat."""

__version__ = "0.1.0"
