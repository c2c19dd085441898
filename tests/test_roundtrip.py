"""Properties of whole stores: export then import gives the same history and state, and
views kept event by event equal views rebuilt from position 0."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.application import Tracker
from tracker.ndjson_lines import Record
from tracker.record_export import export_records
from tracker.records import import_records
from tracker.store import StoreLocation
from tracker.verification import verify

ACTORS = [
    {"type": "actor", "id": "trump", "name": "Donald Trump", "aliases": ["Trump"]},
    {"type": "actor", "id": "putin", "name": "Vladimir Putin", "aliases": ["Putin"]},
    {"type": "actor", "id": "zelenskyy", "name": "Volodymyr Zelenskyy", "aliases": ["Zelensky"]},
    {"type": "actor", "id": "ushakov", "name": "Yuri Ushakov", "aliases": ["Yury Ushakov"]},
]
NAMES = ["trump", "Putin", "ZELENSKY", "Yury Ushakov"]

free_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30
).filter(lambda text: text.strip() != "")
days = st.dates(
    min_value=date(2020, 1, 1),
    max_value=date(2026, 12, 31),
)


@st.composite
def fuzzy_dates(draw: st.DrawFn) -> str:
    day = draw(days)
    form = draw(st.sampled_from(["day", "month", "approx", "interval", "open", "unspecified"]))
    if form == "day":
        return day.isoformat()
    if form == "month":
        return day.isoformat()[:7]
    if form == "approx":
        return day.isoformat()[:7] + draw(st.sampled_from("~?%"))
    if form == "interval":
        end = draw(st.dates(min_value=day, max_value=date(2026, 12, 31)))
        return f"{day.isoformat()}/{end.isoformat()}"
    if form == "open":
        return f"../{day.isoformat()}"
    return day.isoformat()[:9] + "X" if day.day < 28 else day.isoformat()


def _fields(draw: st.DrawFn, kind: str, first: bool) -> dict[str, Any]:
    optional = st.booleans() if not first else st.just(True)
    fields: dict[str, Any] = {}
    if kind == "call":
        if first or draw(st.booleans()):
            fields["participants"] = draw(
                st.lists(st.sampled_from(NAMES), min_size=2, max_size=3, unique=True)
            )
        if draw(optional):
            fields["occurred"] = draw(fuzzy_dates())
        if draw(st.booleans()):
            fields["duration_min"] = draw(st.integers(0, 300))
        if draw(st.booleans()):
            fields["status"] = draw(st.sampled_from(["held", "planned"]))
    elif kind == "meeting":
        if first or draw(st.booleans()):
            fields["participants"] = draw(
                st.lists(st.sampled_from(NAMES), min_size=2, max_size=3, unique=True)
            )
        if first or draw(st.booleans()):
            fields["status"] = draw(
                st.sampled_from(["proposed", "scheduled", "held", "postponed", "cancelled"])
            )
        if draw(st.booleans()):
            fields["planned"] = draw(st.one_of(fuzzy_dates(), st.just("2025-12-28T13:00:00-05:00")))
        if draw(st.booleans()):
            fields["place"] = draw(free_text)
    elif kind == "strike":
        if first or draw(st.booleans()):
            fields["target"] = draw(free_text)
        if draw(st.booleans()):
            fields["weapons"] = [
                {"name": draw(free_text), "count": draw(st.one_of(st.none(), st.integers(0, 50)))}
                for _ in range(draw(st.integers(1, 3)))
            ]
        if draw(optional):
            fields["occurred"] = draw(fuzzy_dates())
    elif kind == "issue":
        if first or draw(st.booleans()):
            fields["status"] = draw(st.sampled_from(["open", "resolved", "dropped"]))
        if draw(st.booleans()):
            fields["positions"] = draw(
                st.dictionaries(
                    st.sampled_from([*NAMES, "Europe"]), free_text, min_size=1, max_size=3
                )
            )
    elif kind == "claim":
        if first:
            fields["subject"] = "call-count"
            fields["claimant"] = draw(st.sampled_from(NAMES))
            fields["participants"] = ["trump", "putin"]
        if first or draw(st.booleans()):
            fields["value"] = draw(
                st.one_of(
                    st.integers(0, 20),
                    free_text,
                    st.lists(st.integers(-(2**63), 2**63 - 1), max_size=2),
                )
            )
        if draw(st.booleans()):
            fields["stance"] = draw(st.sampled_from(["asserts", "denies", "neither"]))
    return fields


@st.composite
def stores(draw: st.DrawFn) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = list(ACTORS)
    reports = []
    for index in range(draw(st.integers(1, 4))):
        text = draw(st.one_of(st.none(), st.lists(free_text, min_size=1, max_size=3).map(" ".join)))
        report: dict[str, Any] = {
            "type": "report",
            "id": f"r{index}",
            "outlet": draw(free_text),
            "published": draw(fuzzy_dates()),
        }
        if text is not None:
            report["text"] = text
        if draw(st.booleans()):
            report["note"] = draw(free_text)
        records.append(report)
        reports.append(report)
    kinds = {
        f"d{index}": draw(st.sampled_from(["call", "meeting", "strike", "issue", "claim"]))
        for index in range(4)
    }
    versions: dict[str, int] = {}
    voidable: dict[str, list[int]] = {}
    accounts: list[tuple[str, int]] = []  # what a credibility grade may name
    for _ in range(draw(st.integers(0, 10))):
        action = draw(
            st.sampled_from(["account", "account", "account", "retraction", "void", "grade"])
        )
        development_id = draw(st.sampled_from(sorted(kinds)))
        report = draw(st.sampled_from(reports))
        if action == "grade":
            records.append(_grade(draw, report["outlet"], accounts))
        elif action == "account" or development_id not in versions:
            record: dict[str, Any] = {
                "type": kinds[development_id],
                "id": development_id,
                "report": report["id"],
            }
            record.update(_fields(draw, kinds[development_id], development_id not in versions))
            if report.get("text") and draw(st.booleans()):
                text = report["text"]
                start = draw(st.integers(0, len(text) - 1))
                quote = text[start : start + draw(st.integers(1, 20))]
                if quote.strip():
                    record["quote"] = quote
            if draw(st.booleans()):
                record["note"] = draw(free_text)
            versions[development_id] = versions.get(development_id, 0) + 1
            voidable.setdefault(development_id, []).append(versions[development_id])
            accounts.append((development_id, versions[development_id]))
            records.append(record)
        elif action == "retraction":
            records.append(
                {
                    "type": "retraction",
                    "target": development_id,
                    "report": report["id"],
                    "reason": draw(free_text),
                }
            )
            versions[development_id] += 1
            voidable[development_id].append(versions[development_id])
        elif voidable[development_id]:
            target = draw(st.sampled_from(voidable[development_id]))
            voidable[development_id].remove(target)
            records.append(
                {
                    "type": "void",
                    "development": development_id,
                    "version": target,
                    "reason": draw(free_text),
                }
            )
            versions[development_id] += 1
    return records


def _grade(draw: st.DrawFn, outlet: str, accounts: list[tuple[str, int]]) -> dict[str, Any]:
    """A grade of a report's outlet, another source, or an account told so far."""
    record: dict[str, Any] = {"type": "grade", "graded_on": draw(days).isoformat()}
    if accounts and draw(st.booleans()):
        development_id, version = draw(st.sampled_from(accounts))
        record.update(
            development=development_id, account=version, credibility=draw(st.integers(1, 6))
        )
    else:
        source = draw(st.one_of(st.just(outlet), free_text.filter(str.strip)))
        record.update(source=source, reliability=draw(st.sampled_from("ABCDEF")))
    if draw(st.booleans()):
        record["note"] = draw(free_text.filter(str.strip))
    return record


def _as_records(items: list[dict[str, Any]]) -> list[Record]:
    return [Record("<generated>", number, Path.cwd(), item) for number, item in enumerate(items, 1)]


def _new_tracker(folder: str, name: str) -> Tracker:
    return Tracker.open(StoreLocation.parse(f"sqlite:///{Path(folder) / name}"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stores())
def test_export_then_import_gives_the_same_history_and_views(records: list[dict[str, Any]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        first = _new_tracker(folder, "first.db")
        import_records(first, _as_records(records), Path.cwd())
        exported = list(export_records(first))
        second = _new_tracker(folder, "second.db")
        import_records(second, _as_records(exported), Path.cwd())
        assert list(export_records(second)) == exported
        assert second.view.dump() == first.view.dump()
        # Views kept a page at a time equal views fed one event at a time, and the chain
        # holds: what tracker verify checks. The system times came back with the
        # export, so the chain is the same to its head.
        checked = verify(first)
        assert checked.problems == ()
        assert verify(second).anchor == checked.anchor


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stores(), st.integers(1, 5))
def test_views_kept_in_steps_equal_a_rebuild(records: list[dict[str, Any]], steps: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        tracker = _new_tracker(folder, "store.db")
        size = max(1, len(records) // steps)
        for start in range(0, len(records), size):
            import_records(tracker, _as_records(records[start : start + size]), Path.cwd())
        kept = tracker.view.dump()
        tracker.rebuild()
        assert tracker.view.dump() == kept
