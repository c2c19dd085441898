"""Runs of a sequence, for statements that take their parameters a run at a time (a
few hundred ids in an ``IN`` list, a few thousand rows in an insert) and for work done a
batch at a time."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")

# Ids per IN (...) list: well under either backend's limit on parameters.
IN_LIST = 500


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """``chunks`` of items that come one at a time."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
