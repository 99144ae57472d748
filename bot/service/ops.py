"""The opt-in operations port (`[ops] enabled = true`, issue 13): an aiohttp server inside the
running bot.

- `GET /healthz`: 200 while the process serves requests (liveness).
- `GET /readyz`: 200 when every check passes (the store answers a query, every enabled chat
  connection is connected, start-up is done); otherwise 503. Both answer a JSON body
  `{"ready": bool, "instance": id, "checks": {name: "ok" | why not}}`.
- `GET /metrics`: the service's `Metrics` in the Prometheus text format.

A check is an async callable returning None (ready) or a reason; one that raises or takes
longer than `CHECK_TIMEOUT_SECONDS` counts as not ready, with its error as the reason.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from bot.core.metrics import Metrics

log = logging.getLogger(__name__)

Check = Callable[[], Awaitable[str | None]]
"""None: ready; a string: why not."""
CHECK_TIMEOUT_SECONDS = 5.0


async def run_check(check: Check, timeout: float = CHECK_TIMEOUT_SECONDS) -> str | None:
    try:
        return await asyncio.wait_for(check(), timeout)
    except TimeoutError:
        return f"no answer within {timeout:.0f} s"
    except Exception as e:
        return str(e).strip() or type(e).__name__


class OpsServer:
    def __init__(self, host: str, port: int, metrics: Metrics, instance: str,
                 checks: Callable[[], Mapping[str, Check]]) -> None:
        self._host = host
        self._port = port
        self._metrics = metrics
        self._instance = instance
        self._checks = checks
        self._runner: web.AppRunner | None = None
        self.address: tuple[str, int] | None = None
        """Where it serves, once started (the real port when 0 was asked for)."""

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/readyz", self._readyz)
        app.router.add_get("/metrics", self._metrics_page)
        return app

    async def start(self) -> None:
        runner = web.AppRunner(self.app(), access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, self._host, self._port).start()
        except OSError as e:
            await runner.cleanup()
            raise OSError(e.errno, f"cannot serve the ops port on {self._host}:{self._port} "
                                   f"(ops.host, ops.port): {e.strerror or e}") from None
        self._runner = runner
        host, port = runner.addresses[0][:2]
        self.address = (str(host), int(port))
        log.info("operations: /healthz, /readyz and /metrics on http://%s:%d", host, port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _healthz(self, _request: web.Request) -> web.Response:
        return web.json_response({"alive": True, "instance": self._instance})

    async def _readyz(self, _request: web.Request) -> web.Response:
        checks = dict(self._checks())
        results = await asyncio.gather(*(run_check(c) for c in checks.values()))
        found = {name: why or "ok" for name, why in zip(checks, results, strict=True)}
        ready = all(why is None for why in results)
        if not ready:
            log.debug("not ready: %s", "; ".join(f"{n}: {w}" for n, w in found.items() if w != "ok"))
        return web.json_response({"ready": ready, "instance": self._instance, "checks": found},
                                 status=200 if ready else 503)

    async def _metrics_page(self, _request: web.Request) -> web.Response:
        return web.Response(body=self._metrics.text(), headers={"Content-Type": CONTENT_TYPE_LATEST})
