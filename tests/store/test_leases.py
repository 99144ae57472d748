"""Leases (advisory locks on a held connection), live instances, folder file claims and
deliveries of a dead instance, on SQLite (one process: all granted) and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import text

from bot.store import SqlStore
from bot.store.lease import instance_lease, live_instances
from tests.store.conftest import Backend

LEASE = timedelta(minutes=10)


async def test_a_lease_is_held_by_one_holder_and_free_again_when_released(backend: Backend) -> None:
    one, two = backend.open(), backend.open()
    a, b = one.lease_holder(), two.lease_holder()
    try:
        await one.migrate()
        assert await a.try_take("digest")
        if backend.name == "sqlite":
            assert await b.try_take("digest"), "SQLite runs one process: every lease is granted"
            return
        assert not await b.try_take("digest")
        assert await b.try_take("slack-socket"), "another lease is free"
        assert await a.check() and a.held() == {"digest"}
        await a.give_up("digest")
        assert await b.try_take("digest")
    finally:
        await a.close()
        await b.close()
        await one.close()
        await two.close()


@pytest.mark.postgres
async def test_a_holder_whose_session_ends_loses_its_leases_to_the_next(backend: Backend) -> None:
    if backend.name != "postgres":
        pytest.skip("sessions end on PostgreSQL")
    one, two = backend.open(), backend.open()
    a, b = one.lease_holder(), two.lease_holder()
    try:
        await one.migrate()
        assert await a.try_take("slack-socket")
        pid = await a._connection()
        backend_pid = await pid.scalar(text("SELECT pg_backend_pid()"))
        assert not await b.try_take("slack-socket")
        async with two._engine.connect() as admin:  # the holder's session is cut, as by a crash
            await admin.execute(text("SELECT pg_terminate_backend(:p)"), {"p": backend_pid})
        # pg_terminate_backend only signals the session: it ends (and its locks go) a moment later
        for _ in range(600):
            if await b.try_take("slack-socket"):
                break
            await asyncio.sleep(0.05)
        assert b.held() == {"slack-socket"}
        assert not await a.check() and a.held() == set(), "the cut holder knows its leases are lost"
        assert not await a.try_take("slack-socket")
    finally:
        await a.close()
        await b.close()
        await one.close()
        await two.close()


async def test_live_instances_are_those_holding_their_instance_lease(backend: Backend, store: SqlStore) -> None:
    holder = store.lease_holder()
    try:
        assert await holder.try_take(instance_lease("alive"))
        async with store._engine.connect() as conn:
            found = await live_instances(conn, {"alive", "dead"})
        assert found == ({"alive"} if backend.name == "postgres" else set())
    finally:
        await holder.close()


async def test_a_file_version_is_claimed_once_and_not_again_once_read(backend: Backend, store: SqlStore) -> None:
    if backend.name == "sqlite":
        pytest.skip("SQLite runs one process: file claims are always won (test_feed_claims.py)")
    assert await store.claim_file("/news/a.txt", "s1", "a", LEASE)
    assert not await store.claim_file("/news/a.txt", "s1", "b", LEASE)
    assert await store.claim_file("/news/a.txt", "s1", "a", LEASE), "its own claim, again (a retry)"
    assert await store.claim_file("/news/b.txt", "s1", "b", LEASE), "another file"
    await store.set_file_signature("/news/a.txt", "s1")
    assert not await store.claim_file("/news/a.txt", "s1", "a", LEASE), "read already"
    assert await store.claim_file("/news/a.txt", "s2", "b", LEASE), "a changed version is new work"


async def test_a_dead_readers_file_claim_runs_out(backend: Backend, store: SqlStore) -> None:
    if backend.name == "sqlite":
        pytest.skip("SQLite runs one process: file claims are always won (test_feed_claims.py)")
    assert await store.claim_file("/news/a.txt", "s1", "dead", timedelta(seconds=30))
    assert not await store.claim_file("/news/a.txt", "s1", "b", LEASE)
    backend.clock.now += timedelta(seconds=31)
    assert await store.claim_file("/news/a.txt", "s1", "b", LEASE)


@pytest.mark.postgres
async def test_two_instances_racing_for_300_files_read_each_once(backend: Backend) -> None:
    if backend.name != "postgres":
        pytest.skip("a race between processes needs PostgreSQL")
    stores = [backend.open() for _ in range(2)]
    try:
        await stores[0].migrate()
        paths = [f"/news/{n}.txt" for n in range(300)]

        async def instance(n: int) -> list[str]:
            return [p for p in paths if await stores[n].claim_file(p, "s1", f"i{n}", LEASE)]

        won = await asyncio.gather(*(instance(n) for n in range(2)))
        assert sorted(won[0] + won[1]) == sorted(paths)
    finally:
        for s in stores:
            await s.close()


async def test_reconcile_leaves_a_live_instances_deliveries_alone(backend: Backend) -> None:
    """Instance a is posting (its delivery is `sending`); b starts and reconciles: on
    PostgreSQL b sees a alive and leaves it alone, and once a is gone, b settles it. On
    SQLite one instance runs: whatever was left `sending` is settled at start."""
    a, b = backend.open(), backend.open()
    a.instance, b.instance = "a", "b"
    holder = a.lease_holder()
    try:
        await a.migrate()
        assert await holder.try_take(instance_lease("a"))
        await a.enqueue("alert-1", ["slack:C1"])
        await a.enqueue("alert-2", ["slack:C1"])
        assert [d.alert_id for d in await a.claim(1)] == ["alert-1"]
        seen_by_b = [d.alert_id for d in await b.in_flight()]
        assert seen_by_b == ([] if backend.name == "postgres" else ["alert-1"])
        assert [d.alert_id for d in await a.in_flight()] == ["alert-1"], "its own, a judges itself"
        await holder.close()  # a is gone
        assert [d.alert_id for d in await b.in_flight()] == ["alert-1"]
    finally:
        await holder.close()
        await a.close()
        await b.close()
