"""Counting failures per key in this process's memory: the guards against guessing.

With several worker processes each keeps its own counts, and a restart forgets them. That
is enough to make online guessing slow; a shared store (Redis) would make the limits exact.
"""

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field

MAX_TRACKED_KEYS = 10_000


class FailureWindow:
    """Failures per key in a sliding window; a key with `max_failures` of them is blocked."""

    def __init__(self, *, max_failures: int, window_seconds: float, max_tracked: int = MAX_TRACKED_KEYS) -> None:
        self.max_failures = max_failures
        self.window_seconds = window_seconds
        self.max_tracked = max_tracked
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures.get(key, deque())
        while failures and failures[0] <= now - self.window_seconds:
            failures.popleft()
        if not failures:
            self._failures.pop(key, None)
        return failures

    def is_blocked(self, key: str, *, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        with self._lock:
            return len(self._recent(key, now)) >= self.max_failures

    def record_failure(self, key: str, *, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            failures = self._recent(key, now)
            if key not in self._failures and len(self._failures) >= self.max_tracked:
                self._prune(now)
            failures.append(now)
            self._failures[key] = failures

    def reset(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def _prune(self, now: float) -> None:
        for key in list(self._failures):
            self._recent(key, now)
        while len(self._failures) >= self.max_tracked:  # still full: forget the oldest
            self._failures.pop(next(iter(self._failures)))


@dataclass
class GrowingDelay:
    """After `free_failures` failures of a key, each further attempt waits twice as long.

    A key with n >= free_failures failures waits `base_seconds * 2**(n - free_failures)` after
    its last one, at most `max_seconds`; a key idle for `forget_seconds` starts again.
    Nothing is ever locked for good: the wait only slows guessing down.
    """

    free_failures: int
    base_seconds: float
    max_seconds: float
    forget_seconds: float
    clock: Callable[[], float] = time.monotonic
    max_tracked: int = MAX_TRACKED_KEYS
    # key -> (failures, time of the last one); oldest first, so the longest idle go first
    _state: OrderedDict[str, tuple[int, float]] = field(default_factory=OrderedDict, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def _failures(self, key: str, now: float) -> tuple[int, float]:
        count, last = self._state.get(key, (0, now))
        if count and now - last >= self.forget_seconds:
            self._state.pop(key, None)
            return 0, now
        return count, last

    def _delay(self, count: int) -> float:
        if count < self.free_failures:
            return 0.0
        return min(self.max_seconds, self.base_seconds * 2 ** min(count - self.free_failures, 32))

    def wait_seconds(self, key: str) -> float:
        """0 if the key may try now, else how long it must still wait."""
        now = self.clock()
        with self._lock:
            count, last = self._failures(key, now)
            return max(0.0, last + self._delay(count) - now)

    def failures(self, key: str) -> int:
        with self._lock:
            return self._failures(key, self.clock())[0]

    def record_failure(self, key: str) -> int:
        """Count a failure; returns the key's failures so far."""
        now = self.clock()
        with self._lock:
            count, _last = self._failures(key, now)
            self._state.pop(key, None)
            self._state[key] = (count + 1, now)
            while len(self._state) > self.max_tracked:  # forget the longest-idle keys
                self._state.popitem(last=False)
            return count + 1

    def reset(self, key: str) -> None:
        with self._lock:
            self._state.pop(key, None)
