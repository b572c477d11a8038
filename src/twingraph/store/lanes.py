"""Two lanes for protocol queries, so that cheap work never queues behind expensive work.

Every query starts in the **fast lane**: a worker process of the pool (at nice ``FAST_LANE_NICE``,
below the web processes), under a short limit (``fast_seconds`` of processor time, so that a cheap
query that waited for a core on a busy machine is not taken for an expensive one). Nearly every real
query answers within it. A query that outgrows it is moved, with its worker process and without losing
its work, to the **slow lane**:

- the worker leaves the fast lane, which gets a fresh worker at once, so lookups keep a worker;
- the worker is put at idle CPU priority (Linux ``SCHED_IDLE``, on each of its threads): it gets the
  processor only when nothing else wants it, so pages and lookups keep the cores too;
- the slow lane holds at most ``slow_workers`` queries per server worker process (beyond: 503), and at
  most the client's share (the ``SlowLanePass`` the web layer hands in; beyond: 429), so one client
  cannot fill it;
- the query still stops at the time limit, by ending its process; a worker that served in the slow
  lane is retired afterwards (its priority cannot be raised again without privileges).
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from twingraph.store.base import StoreError

# Niceness of every query worker: below the web processes, so that a page or a cached answer gets a
# core before a query does (weight 335 against 1024 in Linux's fair scheduler), far above SCHED_IDLE.
FAST_LANE_NICE = 5


@dataclass(frozen=True)
class Lanes:
    """The lane settings of a worker pool: ``fast_seconds`` 0 runs every query in one lane."""

    fast_seconds: float = 0.0
    slow_workers: int = 4


class SlowLaneRefused(StoreError):
    """The query outgrew the fast lane, and its client has no room left in the slow lane."""

    status = 429
    title = "Slow Lane Share Used"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class SlowLaneFull(StoreError):
    """The query outgrew the fast lane, and the slow lane of this server process is full."""

    status = 503
    title = "Slow Lane Full"


class SlowLanePass(Protocol):
    """What the pool asks of the request a query belongs to (its client's fair share)."""

    def running(self) -> None:
        """A worker has taken the query: its query time starts now."""
        ...

    def claim_slow(self) -> SlowLaneRefused | None:
        """Take a place in the slow lane for the query; the refusal when the client has none left."""
        ...


def deprioritize(pid: int) -> bool:
    """Run every thread of process ``pid`` at idle priority (SCHED_IDLE, else nice 19); True if done.

    Linux applies both per thread, hence the walk over ``/proc/<pid>/task``. Lowering one's own
    processes' priority needs no privilege.
    """
    tasks = Path(f"/proc/{pid}/task")
    tids = [int(t.name) for t in tasks.iterdir()] if tasks.is_dir() else [pid]
    done = False
    for tid in tids:
        with contextlib.suppress(OSError, AttributeError):
            os.sched_setscheduler(tid, os.SCHED_IDLE, os.sched_param(0))
            done = True
            continue
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, tid, 19)
            done = True
    return done


def cpu_seconds(pid: int) -> float:
    """Processor time (user and system) process ``pid`` has used so far; 0 if it cannot be read.

    >>> cpu_seconds(os.getpid()) > 0
    True
    """
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICKS


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def is_idle_priority(pid: int) -> bool:
    """Whether process ``pid`` runs at idle priority (for tests and monitoring)."""
    try:
        return os.sched_getscheduler(pid) == os.SCHED_IDLE or os.getpriority(os.PRIO_PROCESS, pid) == 19
    except OSError:
        return False
