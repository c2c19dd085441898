"""Tamper evidence that holds against a careful forger: every quote a view shows is
checked against its report, a noted chain head proves the log up to it unchanged, and a
stored topic never chooses what Python imports."""

from __future__ import annotations

import sys
from typing import Any

import orjson
import pytest
from eventsourcing.persistence import StoredEvent

from tests.conftest import SMALL_STORE_RECORDS, Invoke, ndjson
from tests.store_sql import run_sql
from tracker.chain import GENESIS, chain_rows
from tracker.domain import Report

# After the small store's four records: a report without text (5) and a statement (6).
STATEMENT_RECORDS: list[dict[str, object]] = [
    *SMALL_STORE_RECORDS,
    {"type": "report", "id": "r2", "outlet": "Agency", "published": "2025-12-29"},
    {
        "type": "statement",
        "id": "st-1",
        "report": "r1",
        "speaker": "Trump",
        "quote": "a very good call with Putin today",
        "occurred": "2025-12-28",
    },
]
FORGED = "we will never talk to Putin"


def _load(invoke: Invoke, records: list[dict[str, object]]) -> None:
    result = invoke("import", "-", input=ndjson(records))
    assert result.exit_code == 0, result.output


def _state(store_url: str, position: int) -> Any:
    rows = run_sql(store_url, "SELECT state FROM {events} WHERE {rowid} = ?", (position,))
    return orjson.loads(bytes(rows[0][0]))


def _set(store_url: str, position: int, column: str, value: object) -> None:
    run_sql(store_url, f"UPDATE {{events}} SET {column} = ? WHERE {{rowid}} = ?", (value, position))


def _rechain(store_url: str) -> None:
    """A careful forger recomputes the whole chain after editing an event."""
    rows = run_sql(
        store_url,
        "SELECT {rowid}, originator_id, originator_version, topic, state FROM {events}"
        " ORDER BY {rowid}",
    )
    events = [
        StoredEvent(str(originator).replace("-", ""), version, topic, bytes(state))
        for _, originator, version, topic, state in rows
    ]
    for position, chain in chain_rows(GENESIS, [row[0] for row in rows], events):
        run_sql(
            store_url, "UPDATE {hashes} SET chain = ? WHERE notification_id = ?", (chain, position)
        )


def _head(invoke: Invoke) -> str:
    result = invoke("verify", "--json")
    assert result.exit_code == 0, result.output
    return str(orjson.loads(result.stdout)["anchor"])


# -- item 6: every quote a view shows is checked against its report ------------------------


def _forge_statement_field(data: Any) -> None:
    data["account"]["_data_"]["fields"]["quote"] = FORGED


def _forge_account_quote(data: Any) -> None:
    data["account"]["_data_"]["quote"] = FORGED


def _forge_retraction_quote(data: Any) -> None:
    data["quote"] = FORGED


@pytest.mark.parametrize(
    ("position", "forge", "problem"),
    [
        (6, _forge_statement_field, "its field 'quote' is not in report 'r1'"),
        (6, _forge_account_quote, "its quote is not in report 'r1'"),
        (7, _forge_retraction_quote, "its quote is not in report 'r1'"),
    ],
    ids=["statement-field", "account-quote", "retraction-quote"],
)
def test_a_forged_quote_rechained_and_rebuilt_fails_verify(
    invoke: Invoke, store_url: str, position: int, forge: Any, problem: str
) -> None:
    retraction = {
        "type": "retraction",
        "target": "st-1",
        "report": "r1",
        "reason": "misheard",
        "quote": "It lasted 75 minutes.",
    }
    _load(invoke, [*STATEMENT_RECORDS, retraction])
    data = _state(store_url, position)
    forge(data)
    _set(store_url, position, "state", orjson.dumps(data))
    _rechain(store_url)
    assert invoke("rebuild").exit_code == 0
    result = invoke("verify")
    assert result.exit_code == 1, result.output
    assert result.stdout == f"position {position}: {problem}\n"
    assert result.stderr == f"Error: verification failed at position {position}: {problem}\n"


def test_the_forged_statement_quote_is_what_the_views_would_show(
    invoke: Invoke, store_url: str
) -> None:
    """Why the statement's own field must be checked: it is the copy the views show."""
    _load(invoke, STATEMENT_RECORDS)
    data = _state(store_url, 6)
    _forge_statement_field(data)
    _set(store_url, 6, "state", orjson.dumps(data))
    _rechain(store_url)
    assert invoke("rebuild").exit_code == 0
    assert FORGED in invoke("statements").stdout
    assert FORGED in invoke("export", "--format", "csv").stdout
    assert invoke("verify").exit_code == 1


# -- item 14: quotes citing a report without text are said to be unchecked -----------------


def test_a_quote_citing_a_report_without_text_is_marked_unchecked(invoke: Invoke) -> None:
    unchecked = {
        "type": "call",
        "id": "call-1",
        "report": "r2",
        "quote": "words nobody can check",
    }
    _load(invoke, [*STATEMENT_RECORDS, unchecked])
    sources = orjson.loads(invoke("sources", "call-1", "--json").stdout)["sources"]
    assert [(s["report_id"], s["quote_checked"]) for s in sources] == [("r1", True), ("r2", False)]
    text = invoke("sources", "call-1")
    assert text.exit_code == 0
    assert text.stdout == (
        "call-1 (call): corroborated by 2 independent origins\n"
        "published   report  outlet  kind     quote                                     "
        "              attributed to  origin\n"
        "----------  ------  ------  -------  ------------------------------------------"
        "------------  -------------  ------\n"
        "2025-12-28  r1      Wire    account  a very good call with Putin today         "
        "              -              -\n"
        "2025-12-29  r2      Agency  account  words nobody can check (unchecked: report "
        "has no text)  -              -\n"
    )
    statement = orjson.loads(invoke("sources", "st-1", "--json").stdout)["sources"]
    assert [s["quote_checked"] for s in statement] == [True]
    verified = invoke("verify", "--json")
    assert verified.exit_code == 0
    report = orjson.loads(verified.stdout)
    assert report["unchecked_quotes"] == 1
    text = invoke("verify")
    assert text.exit_code == 0
    assert text.stdout == (
        f"ok: 7 events, chain head {report['anchor']}\n"
        "1 quote cites a report without text: unchecked\n"
    )


# -- item 7: a noted chain head is evidence ------------------------------------------------


def test_verify_prints_the_head_as_expect_takes_it(small_store: Invoke) -> None:
    report = orjson.loads(small_store("verify", "--json").stdout)
    assert report["anchor"] == f"{report['head']}@4" and report["position"] == 4
    text = small_store("verify")
    assert text.exit_code == 0
    assert text.stdout == f"ok: 4 events, chain head {report['head']}@4\n"
    expected = small_store("verify", "--expect", report["anchor"])
    assert expected.exit_code == 0, expected.output
    assert expected.stdout == (
        f"ok: 4 events, chain head {report['head']}@4\nexpected {report['anchor']}: it holds\n"
    )


def test_an_expected_head_still_holds_after_appends(small_store: Invoke) -> None:
    noted = _head(small_store)
    assert small_store("actor", "add", "zelensky", "--name", "Volodymyr Zelensky").exit_code == 0
    later = _head(small_store)
    assert later.endswith("@5") and later != noted
    result = small_store("verify", "--expect", noted, "--expect", later)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1:] == [
        f"expected {noted}: it holds",
        f"expected {later}: it holds",
    ]


def test_a_log_rewritten_and_rechained_fails_the_noted_head(
    small_store: Invoke, store_url: str
) -> None:
    """The forger edits what no other check covers and recomputes the whole chain: the
    store verifies, but not against a head noted before."""
    noted = _head(small_store)
    head = noted.split("@")[0]
    data = _state(store_url, 3)
    data["title"] = "A forged title"
    _set(store_url, 3, "state", orjson.dumps(data))
    _rechain(store_url)
    assert small_store("rebuild").exit_code == 0
    assert small_store("verify").exit_code == 0  # the chain alone cannot tell
    forged = _head(small_store).split("@")[0]
    result = small_store("verify", "--expect", noted)
    assert result.exit_code == 1
    problem = f"position 4: the chain here is {forged}, not the expected {head}"
    assert result.stdout == problem + "\n"
    assert result.stderr == f"Error: verification failed at {problem}\n"


def test_an_expected_position_beyond_the_log_fails(small_store: Invoke) -> None:
    head = _head(small_store).split("@")[0]
    result = small_store("verify", "--expect", f"{head}@9")
    assert result.exit_code == 1
    problem = f"position 9: the log ends at position 4, before the expected {head}@9"
    assert result.stdout == problem + "\n"
    assert result.stderr == f"Error: verification failed at {problem}\n"


def test_verify_at_prints_the_anchor_of_any_position(small_store: Invoke) -> None:
    result = small_store("verify", "--at", "2")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and lines[1].startswith("chain at position 2: ")
    anchor = lines[1].removeprefix("chain at position 2: ")
    assert anchor.endswith("@2") and len(anchor) == 66
    as_json = orjson.loads(small_store("verify", "--at", "2", "--json").stdout)
    assert as_json["at"] == [{"position": 2, "anchor": anchor}]
    assert small_store("verify", "--expect", anchor).exit_code == 0
    beyond = small_store("verify", "--at", "5")
    assert beyond.exit_code == 1
    assert beyond.stderr == "Error: verification failed at position 5: the log ends at position 4\n"


@pytest.mark.parametrize(
    "value", ["nonsense", "abc@4", "0" * 64 + "@0", "0" * 64 + "@x", "G" * 64 + "@1"]
)
def test_a_malformed_expectation_is_a_usage_error(small_store: Invoke, value: str) -> None:
    result = small_store("verify", "--expect", value)
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: Invalid value for '--expect': {value!r} is not HEAD@POSITION (a chain"
        " head of 64 hex digits, '@', a log position from 1) (see 'main verify --help')\n"
    )


# -- item 8: a stored topic never chooses what Python imports ------------------------------


@pytest.fixture
def no_zen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "this", raising=False)


def _refused_without_import(result: Any, message: str) -> None:
    assert "this" not in sys.modules
    assert "Zen of Python" not in result.output
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines()[-1] == message


@pytest.mark.usefixtures("no_zen")
def test_a_rewritten_topic_is_refused_by_every_reader(small_store: Invoke, store_url: str) -> None:
    _set(store_url, 4, "topic", "this:s")
    _rechain(store_url)
    unknown = "log position 4: unknown event topic 'this:s'"
    _refused_without_import(
        small_store("verify"),
        "Error: verification failed at position 4: unknown event topic 'this:s' (and 4 more)",
    )
    _refused_without_import(small_store("log"), f"Error: {unknown}")
    _refused_without_import(small_store("export"), f"Error: {unknown}")
    _refused_without_import(small_store("rebuild"), f"Error: {unknown}")
    _refused_without_import(small_store("sources", "call-1"), f"Error: {unknown}")
    # Views to be built from the start (a new view schema): catch_up reads the log.
    run_sql(store_url, "UPDATE view_schema SET version = 'older'")
    _refused_without_import(small_store("state"), f"Error: {unknown}")


@pytest.mark.usefixtures("no_zen")
def test_a_rewritten_aggregate_topic_is_refused_by_commands(
    small_store: Invoke, store_url: str
) -> None:
    """A first event names its aggregate's class, which loading the aggregate resolves."""
    data = _state(store_url, 3)
    data["originator_topic"] = "this:s"
    _set(store_url, 3, "state", orjson.dumps(data))
    _rechain(store_url)
    unknown = "log position 3: unknown aggregate topic 'this:s'"
    record = small_store(
        "record", "call", "--id", "call-2", "--report", "r1", "--participants", "Trump,Putin"
    )
    _refused_without_import(
        record,
        f"Error: unknown aggregate topic 'this:s' in event 1 of aggregate {Report.create_id('r1')};"
        " run 'tracker verify'",
    )
    _refused_without_import(
        small_store("verify"),
        "Error: verification failed at position 3: unknown aggregate topic 'this:s' (and 7 more)",
    )
    _refused_without_import(small_store("export"), f"Error: {unknown}")


@pytest.mark.usefixtures("no_zen")
def test_the_rebuild_reader_process_refuses_a_rewritten_topic(
    small_store: Invoke, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tracker.fast.rebuild_readers

    monkeypatch.setattr(tracker.fast.rebuild_readers, "PARALLEL_REBUILD_MIN_EVENTS", 0)
    _set(store_url, 4, "topic", "this:s")
    result = small_store("rebuild")
    assert result.exit_code == 1
    assert "Zen of Python" not in result.output
    assert result.stderr == "Error: log position 4: unknown event topic 'this:s'\n"


@pytest.mark.usefixtures("no_zen")
@pytest.mark.parametrize("producer", [False, True], ids=["in-process", "producer"])
def test_an_import_refuses_a_rewritten_aggregate_topic(
    small_store: Invoke, store_url: str, monkeypatch: pytest.MonkeyPatch, producer: bool
) -> None:
    """An import loads the aggregates its records cite, here or in its producer process."""
    import tracker.records

    if producer:
        monkeypatch.setattr(tracker.records, "PARALLEL_IMPORT_MIN_BYTES", 0)
    data = _state(store_url, 3)
    data["originator_topic"] = "this:s"
    _set(store_url, 3, "state", orjson.dumps(data))
    _rechain(store_url)
    before = run_sql(store_url, "SELECT COUNT(*) FROM {events}")
    record = {"type": "call", "id": "call-2", "report": "r1", "participants": ["Trump", "Putin"]}
    _refused_without_import(
        small_store("import", "-", input=ndjson([record])),
        f"Error: unknown aggregate topic 'this:s' in event 1 of aggregate {Report.create_id('r1')};"
        " run 'tracker verify'",
    )
    assert run_sql(store_url, "SELECT COUNT(*) FROM {events}") == before
