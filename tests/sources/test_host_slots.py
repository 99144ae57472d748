"""A host's places for requests: slow requests step aside for the next ones, and the host
still sees a bounded number at once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from bot.sources.host_slots import HostSlots


async def until(check: Callable[[], bool], guard: float = 10.0) -> None:
    async with asyncio.timeout(guard):  # a guard against hanging, not a measure of speed
        while not check():
            await asyncio.sleep(0.01)


async def test_slow_requests_step_aside_and_at_most_twice_the_places_run_at_once() -> None:
    slots = HostSlots(2, slow_after=0.05)
    done = asyncio.Event()
    inside: list[str] = []

    async def request(name: str) -> None:
        async with slots.slot():
            inside.append(name)
            await done.wait()

    tasks = [asyncio.create_task(request("a")), asyncio.create_task(request("b"))]
    await until(lambda: inside == ["a", "b"])
    tasks += [asyncio.create_task(request(name)) for name in "cde"]
    await until(lambda: len(inside) == 4)  # a and b went on aside; c and d took their places
    assert inside == ["a", "b", "c", "d"] and slots.slow == 2
    await asyncio.sleep(0.2)  # c and d are slow too, but two are aside already: they keep their places
    assert inside == ["a", "b", "c", "d"] and slots.slow == 2  # e waits: never more than 4 at once
    done.set()
    await asyncio.gather(*tasks)
    assert inside == ["a", "b", "c", "d", "e"] and slots.slow == 0


async def test_prompt_requests_keep_their_places_and_give_them_back() -> None:
    slots = HostSlots(1, slow_after=60.0)
    order: list[str] = []

    async def request(name: str) -> None:
        async with slots.slot():
            order.append(f"{name} in")
            await asyncio.sleep(0)
            order.append(f"{name} out")

    await asyncio.gather(*(request(n) for n in "xyz"))
    assert order == ["x in", "x out", "y in", "y out", "z in", "z out"] and slots.slow == 0
