"""What the running bot counts, for /metrics (Prometheus text format, issue 13).

One `Metrics` per service, with a registry of its own (never prometheus-client's global
default registry): two services in one process (tests) count apart. It is built by the
wiring and handed to what counts through constructors (ingest, dispatcher, feeds); each
counting method is one line, so the counting sites stay readable. The `lane` label is the chat service of the channel
("console", "slack", "discord"), as the dispatcher's lanes are.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, Info, generate_latest

from bot import __version__

LAG_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0)
"""Seconds from an alert being queued to being posted: most take well under a second; a
rate limit or an outage (retries) makes minutes."""


class Metrics:
    """The counters of one service; `text()` is the /metrics body."""

    def __init__(self, instance_id: str = "") -> None:
        self.registry = r = CollectorRegistry(auto_describe=True)
        info = Info("tradewatch_instance", "The TradeWatch process serving these metrics.", registry=r)
        info.info({"instance_id": instance_id, "version": __version__})
        self._read = Counter("tradewatch_stories_read", "Stories read from the sources (folders, feeds), repeats included.",
                             registry=r)
        self._accepted = Counter("tradewatch_stories_accepted",
                                 "Stories analysed and judged trade policy.", registry=r)
        self._rejected = Counter("tradewatch_stories_rejected",
                                 "Stories analysed and judged not trade policy.", registry=r)
        self._posted = Counter("tradewatch_alerts_posted", "Alerts posted to a channel, by lane.",
                               ["lane"], registry=r)
        self._failed = Counter("tradewatch_alerts_failed",
                               "Failed alert posts (retried or given up), by lane.", ["lane"], registry=r)
        self._lag = Histogram("tradewatch_delivery_lag_seconds",
                              "Time from an alert being queued to it being posted, by lane.", ["lane"],
                              buckets=LAG_BUCKETS, registry=r)
        self._feed_failures = Counter("tradewatch_feed_fetch_failures",
                                      "Feed polls that failed (network, HTTP status, unreadable feed).",
                                      registry=r)

    def story_read(self) -> None:
        self._read.inc()

    def story_judged(self, trade_policy: bool) -> None:
        (self._accepted if trade_policy else self._rejected).inc()

    def alert_posted(self, lane: str, lag_seconds: float | None) -> None:
        self._posted.labels(lane).inc()
        if lag_seconds is not None:
            self._lag.labels(lane).observe(max(0.0, lag_seconds))

    def alert_failed(self, lane: str) -> None:
        self._failed.labels(lane).inc()

    def feed_failed(self) -> None:
        self._feed_failures.inc()

    def text(self) -> bytes:
        """The Prometheus text exposition of everything counted."""
        return generate_latest(self.registry)
