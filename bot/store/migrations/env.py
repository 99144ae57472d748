"""Alembic's entry point for the store's migrations.

The store runs it through `bot.store.migrate.upgrade`, handing over its own connection
(`config.attributes["connection"]`). A developer can also run `alembic upgrade head` or
`alembic revision --autogenerate -m "..."` from the repository top (alembic.ini): the
database is then TRADEWATCH_DATABASE_URL, else the ini's `sqlalchemy.url`.
"""

from __future__ import annotations

import asyncio
import os
from logging.config import fileConfig
from pathlib import Path

from alembic import context
from sqlalchemy.engine import Connection

from bot.store.engine import async_url, create_engine
from bot.store.tables import metadata

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _developer_url() -> str | None:
    return os.environ.get("TRADEWATCH_DATABASE_URL") or config.get_main_option("sqlalchemy.url")


async def _run_own_engine() -> None:
    engine = create_engine(async_url(_developer_url(), Path("data")))
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_run)
    finally:
        await engine.dispose()


def _main() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    if config.config_file_name is not None:
        fileConfig(config.config_file_name)
    if context.is_offline_mode():
        context.configure(
            url=str(async_url(_developer_url(), Path("data"))),
            target_metadata=metadata,
            literal_binds=True,
            dialect_opts={"paramstyle": "named"},
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    asyncio.run(_run_own_engine())


_main()
