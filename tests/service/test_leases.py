"""Leased duties (`bot/service/leases.py`): one instance runs a duty, another takes it over
when the holder's database session ends (a crash), and the old holder stops it."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.service.leases import Leases
from bot.store import SqlStore, StoreUnavailable, open_store


class Duty:
    def __init__(self) -> None:
        self.running = False
        self.starts = 0

    async def start(self) -> None:
        self.running = True
        self.starts += 1

    async def stop(self) -> None:
        self.running = False


async def until(check: Callable[[], bool], timeout: float = 20.0) -> None:
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"not within {timeout} s")
        await asyncio.sleep(0.05)


async def test_on_sqlite_the_one_instance_runs_every_duty(tmp_path: Path) -> None:
    store = open_store(None, tmp_path)
    await store.migrate()
    leases = Leases(store.lease_holder(), "solo", retry_seconds=0.1)
    duty = Duty()
    try:
        await leases.start()
        await leases.add("digest", duty.start, duty.stop)
        assert duty.running and leases.holds("digest")
    finally:
        await leases.close()
        await store.close()
    assert not duty.running


@pytest.mark.postgres
async def test_a_second_instance_with_the_same_id_is_refused(pg_stores: list[SqlStore]) -> None:
    one = Leases(pg_stores[0].lease_holder(), "a")
    two = Leases(pg_stores[1].lease_holder(), "a")
    try:
        await one.start()
        with pytest.raises(StoreUnavailable, match="another running instance is called 'a'"):
            await two.start()
    finally:
        await one.close()
        await two.close()


async def cut_session(leases: Leases, admin_store: SqlStore) -> None:
    """End the leases' database session from outside (as PostgreSQL does when the process
    holding it dies, or its connection breaks)."""
    conn = await leases._holder._connection()
    pid = await conn.scalar(text("SELECT pg_backend_pid()"))
    async with admin_store._engine.connect() as admin:
        await admin.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})


@pytest.fixture
async def three(pg_stores: list[SqlStore]) -> AsyncIterator[tuple[list[Leases], list[Duty]]]:
    duties = [Duty() for _ in range(3)]
    instances = [Leases(s.lease_holder(), name, retry_seconds=0.2) for s, name in zip(pg_stores, "abc", strict=True)]
    try:
        for leases, duty in zip(instances, duties, strict=True):
            await leases.start()
            await leases.add("digest", duty.start, duty.stop)
        assert [d.running for d in duties] == [True, False, False], "the first instance holds it, alone"
        await asyncio.sleep(1.0)
        assert [d.starts for d in duties] == [1, 0, 0], "nobody else took it while a lived"
        yield instances, duties
    finally:
        for leases in instances:
            await leases.close()


@pytest.mark.postgres
async def test_a_duty_is_taken_over_when_its_holder_dies(three: tuple[list[Leases], list[Duty]],
                                                         pg_stores: list[SqlStore],
                                                         caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bot.service.leases")
    instances, duties = three
    task = instances[0]._task
    assert task is not None
    task.cancel()  # a's process dies: no more rounds, no release...
    await cut_session(instances[0], pg_stores[1])  # ...and PostgreSQL ends its session
    cut = time.monotonic()
    await until(lambda: duties[1].running or duties[2].running)
    took = time.monotonic() - cut
    await asyncio.sleep(1.0)
    assert [d.running for d in duties[1:]].count(True) == 1, "exactly one of the others took it"
    assert took < 30, f"taken over after {took:.1f} s"
    messages = [r.getMessage() for r in caplog.records]
    assert any(m in messages for m in ("lease digest taken by instance b", "lease digest taken by instance c"))


@pytest.mark.postgres
async def test_a_holder_that_loses_its_session_stops_the_duty(three: tuple[list[Leases], list[Duty]],
                                                              pg_stores: list[SqlStore],
                                                              caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bot.service.leases")
    instances, duties = three
    await cut_session(instances[0], pg_stores[1])
    await until(lambda: any(r.getMessage().startswith("lease digest lost by instance a") for r in caplog.records))
    await asyncio.sleep(1.5)
    running = [d.running for d in duties]
    assert running.count(True) == 1, f"exactly one instance runs the duty afterwards: {running}"
