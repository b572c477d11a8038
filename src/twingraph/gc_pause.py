"""Building or reading many small objects that all live on, without the cycle collector.

Each generation-0 collection walks the young objects, and every tenth one the older generations: while
half a million index entries are made, it runs thousands of times over objects that hold no garbage.
Switched off while they are made, the GeoNames feature index builds in half the time and a saved
reconciliation index reads in half the time.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collection_paused() -> Iterator[None]:
    """Switch the cycle collector off for the block, and back on after it if it was on.

    >>> with collection_paused():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
