"""Accounts appended to the log alone, as a writer that leaves the views to a follower,
or that died before applying them: every command the tracker runs applies its events to
the views in the same transaction, so tests that need a log ahead of its views build the
events with the domain's own commands and save them with the library's Application.save.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Any

from eventsourcing.application import AggregateNotFoundError

from tracker.application import Tracker
from tracker.domain import Development
from tracker.kinds import parse_fields
from tracker.names import alias_key
from tracker.values import Account


def append_without_views(
    tracker: Tracker, kind: str, report_id: str, accounts: Iterable[tuple[str, Mapping[str, Any]]]
) -> int:
    """Append an account for each (development id, fields) in one save; the log's last
    position then. Actors are named by their ids or aliases, as in an import."""

    @functools.cache
    def resolve(name: str) -> str:
        found = tracker.view.resolve_actor(alias_key(name))
        if found is None:
            raise LookupError(f"unknown actor {name!r}")
        return found

    developments: dict[str, Development] = {}
    for development_id, raw in accounts:
        development = developments.get(development_id)
        if development is None:
            try:
                stored = tracker.repository.get(Development.create_id(development_id))
            except AggregateNotFoundError:
                stored = None
            development = stored if isinstance(stored, Development) else None
        fields = parse_fields(kind, raw, resolve, first_account=development is None)
        account = Account.of(report_id, fields)
        if development is None:
            development = Development.report(development_id, kind, account)
        else:
            development.retell(kind, account)
        developments[development_id] = development
    tracker.save(*developments.values())
    return tracker.last_position()
