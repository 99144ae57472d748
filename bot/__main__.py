"""`python -m bot` is the `tradewatch` command."""

from bot.cli import main

raise SystemExit(main())
