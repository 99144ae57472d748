"""Progress of a long command (`analyze`, `train`) on stderr, fit for where stderr goes.

On a terminal: a tqdm bar with the total, the rate and the time left. Anywhere else (a log
file, a pipe, CI): no bar and no carriage returns, but a plain line every `every` seconds
("fitting: 12/60 fits (20%), 1.5 a second, about 32 s left") and a last one when it is done,
if it took long enough to report at all. `enabled=False` (`--no-progress`) shows nothing.

    with Progress(len(items), "analysing", "articles") as progress:
        for result in progress.wrap(work(items)):
            ...
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Iterator
from types import TracebackType
from typing import Self, TextIO, TypeVar

from tqdm import tqdm

from bot.durations import format_duration

T = TypeVar("T")

EVERY_SECONDS = 10.0


class Progress:
    def __init__(self, total: int | None, desc: str, unit: str, *, stream: TextIO | None = None,
                 enabled: bool = True, every: float = EVERY_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:  # fmt: skip
        self._stream = stream if stream is not None else sys.stderr
        self.total = total
        self.done = 0
        self._desc, self._unit = desc, unit
        terminal = enabled and self._stream.isatty()
        self._lines = enabled and not terminal
        self._bar = tqdm(total=total, desc=desc, unit=f" {unit}", file=self._stream, disable=not terminal,
                         leave=False, dynamic_ncols=True)  # fmt: skip
        self._every, self._clock = every, clock
        self._start = self._last = clock()
        self._reported = False

    def update(self, n: int = 1) -> None:
        self.done += n
        self._bar.update(n)
        if self._lines and self._clock() - self._last >= self._every:
            self._line(self.status())

    def wrap(self, items: Iterable[T]) -> Iterator[T]:
        """The items, counting each as it is handed on."""
        for item in items:
            yield item
            self.update()

    def status(self) -> str:
        """"fitting: 12/60 fits (20%), 1.5 a second, about 32 s left"."""
        elapsed = max(self._clock() - self._start, 1e-9)
        rate = self.done / elapsed
        if not self.total:
            return f"{self._desc}: {self.done} {self._unit}, {rate:.1f} a second"
        left = f", about {format_duration((self.total - self.done) / rate)} left" if rate else ""
        return (f"{self._desc}: {self.done}/{self.total} {self._unit} "
                f"({100 * self.done // self.total}%), {rate:.1f} a second{left}")

    def close(self) -> None:
        self._bar.close()
        if self._lines and self._reported:
            took = format_duration(self._clock() - self._start)
            self._line(f"{self._desc}: done, {self.done} {self._unit} in {took}")

    def _line(self, text: str) -> None:
        self._stream.write(text + "\n")
        self._stream.flush()
        self._last = self._clock()
        self._reported = True

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:  # fmt: skip
        self.close()
