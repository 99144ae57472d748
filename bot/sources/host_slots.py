"""How many requests may be in flight to one host at once, without letting slow ones
starve the others.

A host gets `size` places. A request that is still running after `slow_after` seconds
(a server trickling its answer, or not answering until the read timeout) gives its place
up to the next request waiting for that host and goes on running aside, as one of at most
`size` slow requests of the host. So two slow feeds cannot hold a host's other feeds back
for the length of their timeouts, while a host never has more than `2 * size` requests
from the bot at once (and only `size` when it answers promptly). Places are given in the
order they were asked for.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class HostSlots:
    def __init__(self, size: int, slow_after: float) -> None:
        self.size = size
        self.slow_after = slow_after
        self._places = asyncio.Semaphore(size)
        self.slow = 0
        """Requests running aside (slow) now."""

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one of the host's places while the request runs (see the module)."""
        await self._places.acquire()
        aside = False

        def step_aside() -> None:
            nonlocal aside
            if self.slow < self.size:
                aside = True
                self.slow += 1
                self._places.release()

        timer = asyncio.get_running_loop().call_later(self.slow_after, step_aside)
        try:
            yield
        finally:
            timer.cancel()
            if aside:
                self.slow -= 1
            else:
                self._places.release()
