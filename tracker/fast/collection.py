"""Fewer garbage collections in the tracker's own processes.

Python's default thresholds (700, 10, 10) run a young collection every 700 container
allocations and scan the whole heap every hundredth time. An import or a rebuild makes
millions of short-lived dicts, tuples and events, nearly all freed by reference
counting the moment they go, yet they set off a collection every few rows: unpickling
one page of view rows ran three times slower with collections on. Cycles are still
collected, only later.
"""

from __future__ import annotations

import gc

# At 100,000 accounts: import 10.8 s with the defaults, 8.4 s with these (8.5 s with no
# collections at all); rebuild 5.8 s, 4.8 s. Peak memory did not change.
THRESHOLDS = (100_000, 50, 50)


def collect_less() -> None:
    """For a process that the tracker owns: the command line, and its helpers."""
    gc.set_threshold(*THRESHOLDS)
