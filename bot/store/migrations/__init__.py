"""Alembic migration scripts for the store, shipped inside the package (see `bot.store.migrate`)."""
