"""kassi benchmarks: `make bench` (python -m bench [AREA ...] [--quick]).

Each area is a module ``bench/bench_<area>.py`` with ``run(quick: bool) -> list[Result]``.
Benchmarks print figures and ratios against their goals; they never fail a test
run (the machines are shared and noisy), but exit 1 when a goal is missed so a
person notices.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from attrs import frozen


@frozen
class Result:
    area: str
    name: str
    value: float
    unit: str
    goal: float | None = None  # the figure must be <= goal (None: informational)
    note: str = ""

    @property
    def ratio(self) -> float | None:
        return None if not self.goal else self.value / self.goal

    @property
    def ok(self) -> bool | None:
        return None if self.goal is None else self.value <= self.goal


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    """Wall-clock seconds of each of ``repeat`` calls."""
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def p99_ms(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
