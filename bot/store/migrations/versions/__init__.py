"""One module a schema revision (Alembic skips this file)."""
