"""The view's tables and indexes, the conditions its queries share with the partial
indexes made for them, and the version of the schema: a read model whose schema
changes is dropped and rebuilt from the log rather than migrated."""

from __future__ import annotations

import hashlib
import re

from projections.folding import RULES_VERSION
from tracker.dates import OPEN_UPPER
from tracker.kinds import kinds_with


def on_table(condition: str, alias: str = "") -> str:
    """A condition written with ``{t}`` before each column, for the table or an alias."""
    return condition.format(t=f"{alias}." if alias else "")


# Conditions of the state's queries. Those that a partial index below is made for are
# repeated word for word in the queries: only then will a planner use the index.
# The version that holds at knowledge date K (both placeholders) and stands.
STANDING_AT = "{t}known_from <= ? AND ? < {t}known_until AND {t}retracted = 0"
HELD_CALL = "{t}kind = 'call' AND {t}status = 'held'"
CALL_COUNT_CLAIM = "{t}kind = 'claim' AND {t}subject = 'call-count' AND {t}stance = 'asserts'"
# Held calls and asserting call-count claims: per set of participants, side by side.
CALL_OR_CALL_COUNT = f"(({HELD_CALL}) OR ({CALL_COUNT_CLAIM}))"


def _kind_among(kinds: tuple[str, ...]) -> str:
    """That a version is of one of these kinds, with the kinds written out: a planner
    proves that a query may use a partial index from the query's text, never from the
    values bound to its parameters."""
    if len(kinds) == 1:
        return f"{{t}}kind = '{kinds[0]}'"
    return "{t}kind IN (" + ", ".join(f"'{kind}'" for kind in kinds) + ")"


# The kinds the state counts and lists by a window of valid time, those it looks for
# among spans of days that may hold D, and those that may be ahead on D. The partial
# indexes made for these queries hold only these kinds; a query about another kind
# reads ``versions_by_kind`` instead. (A million-account store: 2.0 million entries in
# the query indexes instead of 3.3 million, built in 3.1 instead of 4.0 s.)
COUNTED_KINDS = kinds_with("counted")
SPANNED_KINDS = kinds_with("spanned")
AHEAD_KINDS = kinds_with("ahead")
COUNTED = _kind_among(COUNTED_KINDS)
SPANNED = _kind_among(SPANNED_KINDS)
AHEAD = _kind_among(AHEAD_KINDS)
PLANNED_STATUS = "{t}status IN ('proposed', 'scheduled', 'planned')"
# Dated to a span of days: within one calendar month, or longer, across a month's end
# or open (the few that a "possibly happened by D" query reads from D on).
SPAN_WITHIN_A_MONTH = (
    "{t}occurred_lower < {t}occurred_upper"
    " AND substr({t}occurred_lower, 1, 7) = substr({t}occurred_upper, 1, 7)"
)
SPAN_ACROSS_MONTHS = (
    "{t}occurred_lower < {t}occurred_upper"
    " AND substr({t}occurred_lower, 1, 7) <> substr({t}occurred_upper, 1, 7)"
)
# The standing versions of a kind, in four parts, for counting what happened by D as
# known at K: current ones whose dates ended by the time they became known (most: a
# pure range count, see ``count_happened``), other current ones, and superseded ones
# whose interval of knowledge time lies within a calendar month or not.
SETTLED = (
    f"{{t}}known_until = '{OPEN_UPPER}' AND {{t}}retracted = 0"
    " AND {t}occurred_upper <= {t}known_from"
)
UNSETTLED = (
    f"{{t}}known_until = '{OPEN_UPPER}' AND {{t}}retracted = 0"
    " AND {t}occurred_upper > {t}known_from"
)
SUPERSEDED_WITHIN_A_MONTH = (
    f"{{t}}known_until < '{OPEN_UPPER}' AND {{t}}retracted = 0"
    " AND substr({t}known_from, 1, 7) = substr({t}known_until, 1, 7)"
)
SUPERSEDED_ACROSS_MONTHS = (
    f"{{t}}known_until < '{OPEN_UPPER}' AND {{t}}retracted = 0"
    " AND substr({t}known_from, 1, 7) <> substr({t}known_until, 1, 7)"
)
# Reported before it can have happened: a meeting told of ahead of its day.
TOLD_BEFORE_IT_HAPPENED = "{t}occurred_lower > {t}first_known"
REPORT_DATE_UNCERTAIN = "published_lower < published_upper"

# The keys of the tables of developments, tellings and versions, by which the views are
# kept: indexes rather than primary keys, so that a rebuild, which reads none of them
# back, fills the tables first and sorts each index once at the end instead of
# inserting a million random keys into it (tracker.fast.rebuild_readers).
KEY_INDEXES = (
    (
        "developments_by_id",
        "CREATE UNIQUE INDEX IF NOT EXISTS developments_by_id ON developments (development_id)",
    ),
    (
        "developments_by_uuid",
        "CREATE UNIQUE INDEX IF NOT EXISTS developments_by_uuid ON developments (uuid)",
    ),
    (
        "tellings_by_position",
        "CREATE UNIQUE INDEX IF NOT EXISTS tellings_by_position ON tellings (position)",
    ),
    (
        "tellings_by_development",
        "CREATE INDEX IF NOT EXISTS tellings_by_development ON tellings (development_id, version)",
    ),
    (
        "versions_by_development",
        "CREATE UNIQUE INDEX IF NOT EXISTS versions_by_development"
        " ON versions (development_id, known_from)",
    ),
)

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS reports (
        report_id TEXT PRIMARY KEY,
        outlet TEXT NOT NULL,
        published TEXT NOT NULL,
        published_lower TEXT NOT NULL,
        published_upper TEXT NOT NULL,
        title TEXT,
        url TEXT,
        sha256 TEXT,
        note TEXT,
        position BIGINT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS actors (
        actor_id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT,
        aliases TEXT NOT NULL,
        position BIGINT NOT NULL,
        uuid TEXT NOT NULL UNIQUE)""",
    """CREATE TABLE IF NOT EXISTS actor_aliases (
        alias_key TEXT PRIMARY KEY,
        alias TEXT NOT NULL,
        actor_id TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS developments (
        development_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        position BIGINT NOT NULL,
        uuid TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS tellings (
        position BIGINT NOT NULL,
        development_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        retraction INTEGER NOT NULL,
        report_id TEXT NOT NULL,
        reason TEXT,
        voided_at BIGINT,
        void_reason TEXT)""",
    # Grades (``tracker.grading``): a source's reliability (source_key set, by the
    # name's alias key) or an account's credibility (development_id and version set).
    """CREATE TABLE IF NOT EXISTS grades (
        position BIGINT PRIMARY KEY,
        source_key TEXT,
        name TEXT,
        development_id TEXT,
        version INTEGER,
        grade TEXT NOT NULL,
        graded_on TEXT NOT NULL,
        note TEXT)""",
    """CREATE TABLE IF NOT EXISTS versions (
        development_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        known_from TEXT NOT NULL,
        known_until TEXT NOT NULL,
        retracted INTEGER NOT NULL,
        status TEXT,
        participants TEXT,
        subject TEXT,
        stance TEXT,
        occurred_lower TEXT NOT NULL,
        occurred_upper TEXT NOT NULL,
        planned_lower TEXT,
        planned_upper TEXT,
        sort_key TEXT NOT NULL,
        first_known TEXT NOT NULL,
        account_count INTEGER NOT NULL,
        data TEXT NOT NULL)""",
    *(statement for _, statement in KEY_INDEXES),
    # Knowledge time: which version of each development holds at K.
    "CREATE INDEX IF NOT EXISTS versions_by_kind"
    " ON versions (kind, known_from, known_until, retracted, occurred_upper)",
    # Valid time: the strikes in a window before D, newest first.
    "CREATE INDEX IF NOT EXISTS versions_by_valid_time ON versions"
    " (kind, occurred_upper, known_from, known_until, retracted, sort_key, development_id)"
    f" WHERE {on_table(COUNTED)}",
    # The rest are partial indexes. Each holds the columns of its own condition too:
    # otherwise SQLite does not take it as covering, and costs each row a deferred seek.
    # What happened by D as known at K, counted in four parts (see SETTLED).
    "CREATE INDEX IF NOT EXISTS versions_settled ON versions (kind, known_from,"
    f" occurred_upper, known_until, retracted) WHERE {on_table(COUNTED)} AND {on_table(SETTLED)}",
    "CREATE INDEX IF NOT EXISTS versions_unsettled ON versions (kind, known_from,"
    f" occurred_upper, known_until, retracted) WHERE {on_table(COUNTED)} AND {on_table(UNSETTLED)}",
    "CREATE INDEX IF NOT EXISTS versions_superseded_within_a_month ON versions (kind,"
    " known_from, known_until, occurred_upper, retracted)"
    f" WHERE {on_table(COUNTED)} AND {on_table(SUPERSEDED_WITHIN_A_MONTH)}",
    "CREATE INDEX IF NOT EXISTS versions_superseded_across_months ON versions (kind,"
    " known_until, known_from, occurred_upper, retracted)"
    f" WHERE {on_table(COUNTED)} AND {on_table(SUPERSEDED_ACROSS_MONTHS)}",
    # Held calls and call-count claims per set of participants, calls by when they
    # happened: the sets (one seek each), each one's latest call and whether it has a
    # claim, and the count and latest few calls of some sets.
    "CREATE INDEX IF NOT EXISTS calls_by_participants ON versions (participants, kind,"
    " sort_key, development_id, known_from, known_until, retracted, occurred_upper,"
    f" status, subject, stance) WHERE {on_table(CALL_OR_CALL_COUNT)}",
    # Call-count claims by when they were made: the latest claim of a set.
    "CREATE INDEX IF NOT EXISTS call_count_claims ON versions (participants,"
    " occurred_upper, known_from, sort_key, development_id, known_until, retracted,"
    f" kind, subject, stance) WHERE {on_table(CALL_COUNT_CLAIM)}",
    # Spans of days that may hold D ("possibly happened by D"): see SPAN_WITHIN_A_MONTH.
    "CREATE INDEX IF NOT EXISTS versions_within_a_month ON versions (kind, occurred_lower,"
    " occurred_upper, known_from, known_until, retracted, status, participants, sort_key,"
    f" development_id) WHERE {on_table(SPANNED)} AND {on_table(SPAN_WITHIN_A_MONTH)}",
    "CREATE INDEX IF NOT EXISTS versions_across_months ON versions (kind, occurred_upper,"
    " occurred_lower, known_from, known_until, retracted, status, participants, sort_key,"
    f" development_id) WHERE {on_table(SPANNED)} AND {on_table(SPAN_ACROSS_MONTHS)}",
    # Meetings and calls still ahead: proposed, scheduled or planned ones by their date,
    # and held ones reported before they happened.
    "CREATE INDEX IF NOT EXISTS versions_planned ON versions (kind, status, planned_upper,"
    " first_known, known_from, known_until, retracted, planned_lower, occurred_lower,"
    f" sort_key, development_id) WHERE {on_table(PLANNED_STATUS)}",
    "CREATE INDEX IF NOT EXISTS versions_told_ahead ON versions (kind, status,"
    " occurred_lower, first_known, known_from, known_until, retracted, planned_lower,"
    f" sort_key, development_id) WHERE {on_table(AHEAD)} AND {on_table(TOLD_BEFORE_IT_HAPPENED)}",
    # Reports whose publication day is uncertain, possibly but not certainly known at K.
    "CREATE INDEX IF NOT EXISTS reports_of_uncertain_date"
    f" ON reports (published_upper, published_lower) WHERE {REPORT_DATE_UNCERTAIN}",
)

# The name of the projection that feeds the view (``projections.projection``): the
# view's environment goes by it, as the library's ProjectionRunner names it, and opening
# a store for a query needs it without importing the projection.
PROJECTION_NAME = "tracker_views"

# The position the views hold, kept beside the library's tracking record and written
# in the same transactions: a tracking record changed by hand no longer matches it,
# whichever event it was moved over (re-applying some events raises nothing).
APPLIED_TABLE = (
    "CREATE TABLE IF NOT EXISTS applied (application_name TEXT PRIMARY KEY,"
    " position BIGINT NOT NULL)"
)

# Read models are disposable: when their schema changes, they are dropped and rebuilt
# from the log rather than migrated.
SCHEMA_VERSION = hashlib.sha256(
    "\n".join([*SCHEMA, APPLIED_TABLE, f"rules {RULES_VERSION}"]).encode()
).hexdigest()[:16]

# The indexes on versions serve queries only; writing the views needs just its primary
# key. Each is (name, statement).
QUERY_INDEXES = tuple(
    (match.group(1), statement)
    for statement in SCHEMA
    if (match := re.match(r"CREATE INDEX IF NOT EXISTS (\w+)\s+ON versions\b", statement))
)

# What a telling's account says, which the tellings table leaves to the log, and an
# export adds to it.
ACCOUNT_COLUMNS = ("fields", "quote", "attributed_to", "note", "origin")

VIEW_TABLES = (
    "reports",
    "actors",
    "actor_aliases",
    "developments",
    "tellings",
    "versions",
    "grades",
)
# Each table's key, by which its rows are read in order.
TABLE_KEYS: dict[str, tuple[str, ...]] = {
    "reports": ("report_id",),
    "actors": ("actor_id",),
    "actor_aliases": ("alias_key",),
    "developments": ("development_id",),
    "tellings": ("position",),
    "versions": ("development_id", "known_from"),
    "grades": ("position",),
}
# The versions table's key.
VERSIONS_KEY = "versions_by_development"
