"""The read models: a tracking recorder like the library's, idempotent replays, and
incremental views equal to rebuilt ones."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from eventsourcing.persistence import Tracking
from eventsourcing.sqlite import SQLiteDatastore
from eventsourcing.tests.persistence import TrackingRecorderTestCase

from projections.view import TABLE_KEYS, TrackerView, TrackerViewBase
from tests.conftest import Invoke, ndjson
from tests.postgres_server import PostgresServer
from tracker.application import Tracker
from tracker.store import StoreLocation


class TestTrackerViewIsATrackingRecorder(TrackingRecorderTestCase):
    """The library's own test case, run against the tracker's view."""

    def setUp(self) -> None:
        import tempfile

        self.folder = tempfile.TemporaryDirectory()

    def tearDown(self) -> None:
        self.folder.cleanup()

    def create_recorder(self) -> TrackerView:
        datastore = SQLiteDatastore(str(Path(self.folder.name) / "view.db"))
        recorder = TrackerView(datastore)
        recorder.create_table()
        return recorder


def open_tracker(store_url: str) -> Tracker:
    return Tracker.open(StoreLocation.parse(store_url))


def test_rebuild_equals_the_incrementally_kept_view(seeded: Invoke, store_url: str) -> None:
    tracker = open_tracker(store_url)
    tracker.catch_up()
    kept = tracker.view.dump()
    assert len(kept["tellings"]) == 74  # the seed fixtures' accounts
    result = seeded("rebuild")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"read models rebuilt to log position {tracker.last_position()}\n"
    assert open_tracker(store_url).view.dump() == kept


# Columns the seed fixtures leave empty in some rows (every account has a quote).
NULLABLE_COLUMNS = {
    "versions": ("status", "participants", "subject", "stance", "planned_lower", "planned_upper"),
    "tellings": ("reason",),
}


def test_a_column_without_a_value_holds_null_after_an_import_and_a_rebuild(
    seeded: Invoke, store_url: str
) -> None:
    """The rows written in bulk say NULL with a NaN (``projections.page.NULL``): each
    backend must store NULL, not a float nor its text."""
    for step in ("import", "rebuild"):
        if step == "rebuild":
            assert seeded("rebuild").exit_code == 0
        tracker = open_tracker(store_url)
        tracker.catch_up()
        dumped = tracker.view.dump()
        for table, columns in NULLABLE_COLUMNS.items():
            for column in columns:
                values = [row[column] for row in dumped[table]]
                assert None in values, (step, table, column)
                assert all(type(value) is str for value in values if value is not None), (
                    step,
                    table,
                    column,
                )
                assert not {"NaN", "nan"} & set(values), (step, table, column)


def test_a_telling_reads_what_its_account_says_from_the_log(seeded: Invoke, store_url: str) -> None:
    """The tellings table leaves the accounts to the log: read back through the view,
    each says what the library's own decoding of its event says."""
    from projections.event_rows import _account_row, _retraction_row
    from projections.view import ACCOUNT_COLUMNS
    from tracker.domain import Development

    tracker = open_tracker(store_url)
    tracker.catch_up()
    assert tracker.view.log_table == tracker.recorder.events_table_name  # type: ignore[attr-defined]
    expected: dict[int, dict[str, object]] = {}
    for notification in tracker.notifications():
        event = tracker.mapper.to_domain_event(notification)
        if isinstance(event, Development.Reported | Development.Retold):
            expected[notification.id] = _account_row(event.account)
        elif isinstance(event, Development.Retracted):
            expected[notification.id] = {"fields": {}, **_retraction_row(event)}
    assert not set(ACCOUNT_COLUMNS) & set(next(tracker.view.rows("tellings")))
    exported = {row["position"]: row for row in tracker.view.tellings_with_accounts()}
    assert sorted(exported) == sorted(expected)
    for position, account in expected.items():
        row = exported[position]
        assert orjson.loads(row["fields"]) == account["fields"], position
        for name in ACCOUNT_COLUMNS[1:]:
            assert row[name] == account.get(name), (position, name)
    # The check above can tell accounts apart.
    assert len({row["quote"] for row in exported.values()}) > 1
    assert len({row["fields"] for row in exported.values()}) > 1


def test_a_compressed_log_is_read_with_the_applications_mapper(
    invoke: Invoke, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The library takes a compressor (or a cipher) from the environment: the view reads
    the tellings' accounts with the application's mapper, not a plain one of its own."""
    import zlib

    from tests.conftest import FIXTURE_FILES
    from tests.store_sql import run_sql

    monkeypatch.setenv("COMPRESSOR_TOPIC", "eventsourcing.compressor:ZlibCompressor")
    result = invoke("import", *map(str, FIXTURE_FILES))
    assert result.exit_code == 0, result.output
    state = run_sql(store_url, "SELECT state FROM {events} WHERE {rowid} = ?", (75,))[0][0]
    assert zlib.decompress(bytes(state)).startswith(b"{")  # the log is compressed
    result = invoke("history", "stmt-2025-02-trump-putin-wants-people-stop-dying")
    assert result.exit_code == 0, result.output
    assert '"He (Putin) wants to see people stop dying."' in result.stdout


def test_a_view_the_library_makes_has_the_mapper_before_anything_feeds_it(
    seeded: Invoke, store_url: str
) -> None:
    """A ProjectionRunner (``tracker follow``) makes its view through the library's
    factory and starts feeding it at once: the view must hold the application's mapper
    from its construction, not from a hand-over after."""
    from eventsourcing.persistence import InfrastructureFactory

    from tracker.application import view_class, view_env

    tracker = Tracker.open(StoreLocation.parse(store_url), existing=True)
    try:
        env = StoreLocation.parse(store_url).application_env()
        seen = []

        class Watched(view_class(env, tracker.mapper)):  # type: ignore[misc]
            def create_table(self) -> None:  # the factory's first call on a new view
                seen.append(self.mapper)
                super().create_table()

        view = InfrastructureFactory.construct(env=view_env(env)).tracking_recorder(Watched)
        try:
            assert seen == [tracker.mapper]
        finally:
            view.datastore.close()
    finally:
        tracker.close()


def test_rows_read_page_by_page_are_the_rows_read_at_once(seeded: Invoke, store_url: str) -> None:
    """Paging by key resumes exactly after the last row, composite keys included."""
    for reliability, on in (("B", "2025-03-01"), ("C", "2025-04-01"), ("B", "2025-05-01")):
        graded = seeded("grade", "source", "TASS", "--reliability", reliability, "--on", on)
        assert graded.exit_code == 0, graded.output
    tracker = open_tracker(store_url)
    tracker.catch_up()
    for table in TABLE_KEYS:
        at_once = list(tracker.view.rows(table, page=10**6))
        assert list(tracker.view.rows(table, page=2)) == at_once
        assert len(at_once) > 2, table
    versions = list(tracker.view.rows("versions", page=2))
    keys = [(row["development_id"], row["known_from"]) for row in versions]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert len({development_id for development_id, _ in keys}) < len(keys)  # some repeat


def test_replaying_a_tracked_event_is_skipped_and_changes_nothing(
    small_store: Invoke, store_url: str
) -> None:
    """A follower handed an event that a command applied first skips it: failing on
    the tracking record would stop the follower (issue 21, item 4)."""
    tracker = open_tracker(store_url)
    tracker.catch_up()
    before = tracker.view.dump()
    last = list(tracker.notifications())[-1]
    tracker.projection.process_event(
        tracker.mapper.to_domain_event(last), Tracking(tracker.name, last.id)
    )
    assert tracker.view.dump() == before
    assert tracker.view.position(tracker.name) == last.id


def test_views_kept_across_out_of_order_reports_equal_a_rebuild(
    invoke: Invoke, store_url: str
) -> None:
    """An account from an earlier-published report typed in after a later one: the kept
    view refolds the development, and must agree with a rebuild from position 0."""
    base = [
        {"type": "actor", "id": "a", "name": "Alpha"},
        {"type": "actor", "id": "b", "name": "Beta"},
        {"type": "report", "id": "late", "outlet": "X", "published": "2025-03-10"},
        {
            "type": "call",
            "id": "c",
            "report": "late",
            "participants": ["a", "b"],
            "occurred": "2025-03-01",
            "duration_min": 30,
        },
    ]
    assert invoke("import", "-", input=ndjson(base)).exit_code == 0
    earlier = [
        {"type": "report", "id": "early", "outlet": "Y", "published": "2025-03-05"},
        {"type": "call", "id": "c", "report": "early", "occurred": "2025-03", "tone": "warm"},
    ]
    assert invoke("import", "-", input=ndjson(earlier)).exit_code == 0
    tracker = open_tracker(store_url)
    tracker.catch_up()
    kept = tracker.view.dump()
    assert [(v["known_from"], v["known_until"]) for v in kept["versions"]] == [
        ("2025-03-05", "2025-03-10"),
        ("2025-03-10", "9999-12-31"),
    ]
    tracker.rebuild()
    assert tracker.view.dump() == kept


@pytest.mark.usefixtures("postgres_server")
class TestPostgresTrackerViewIsATrackingRecorder(TrackingRecorderTestCase):
    """The library's own test case, run against the tracker's PostgreSQL view."""

    server: PostgresServer

    @pytest.fixture(autouse=True)
    def _server(self, postgres_server: PostgresServer) -> None:
        self.server = postgres_server

    def create_recorder(self) -> TrackerViewBase:
        import uuid

        import psycopg
        from eventsourcing.postgres import PostgresDatastore

        from projections.postgres_view import PostgresTrackerView

        schema = f"v_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.server.url, autocommit=True) as connection:
            connection.execute(f'CREATE SCHEMA "{schema}"')
        datastore = PostgresDatastore(
            dbname="postgres",
            host="127.0.0.1",
            port=str(self.server.port),
            user="postgres",
            password="",
            schema=schema,
        )
        recorder = PostgresTrackerView(datastore, tracking_table_name="tracker_views_tracking")
        recorder.create_table()
        return recorder


def test_a_retelling_known_before_the_first_account_does_not_break_state(invoke: Invoke) -> None:
    """The first report's publication is uncertain and may end after the retelling's:
    at that day only the retelling, without the strike's target, is certainly known."""
    records = [
        {"type": "actor", "id": "russia", "name": "Russia"},
        {"type": "report", "id": "first", "outlet": "A", "published": "2025-03-01/2025-03-20"},
        {"type": "report", "id": "later", "outlet": "B", "published": "2025-03-10"},
        {
            "type": "strike",
            "id": "s1",
            "report": "first",
            "target": "Kyiv",
            "by": "russia",
            "occurred": "2025-03-01",
        },
        {"type": "strike", "id": "s1", "report": "later", "effects": "power cuts"},
    ]
    assert invoke("import", "-", input=ndjson(records)).exit_code == 0
    for command in ("state", "strikes"):
        result = invoke(command, "--as-of", "2025-03-12", "--known-at", "2025-03-12", "--json")
        assert result.exit_code == 0, result.output
    state = orjson.loads(
        invoke("state", "--as-of", "2025-03-12", "--known-at", "2025-03-12", "--json").stdout
    )
    assert [(s["id"], s["target"], s["effects"]) for s in state["strikes"]] == [
        ("s1", None, "power cuts")
    ]
