"""Actor names and aliases match in one way everywhere (``tracker.names``): Unicode NFC,
whitespace runs as one space and none at the ends, case folded; and none is longer than
the alias index can hold, on either backend.

When the domain stripped spaces and the read model did not, an alias ``" Zeddy "`` could
not be named ``Zeddy``, a second actor could claim ``Zeddy``, and the export of that store
did not import back. A 5,000-character alias bricked a PostgreSQL store.
"""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from tests.conftest import Invoke, exported, ndjson
from tests.test_cli_errors import check_error
from tracker.cli import main
from tracker.names import MAX_NAME_BYTES, MAX_NAME_CHARS, alias_key

ZEL = {"type": "actor", "id": "zel", "name": "Volodymyr Zelensky", "aliases": [" Zeddy "]}


def statement_by(speaker: str, statement_id: str = "s-zel") -> dict[str, object]:
    """A statement in r1's words (the small store's report) by ``speaker``."""
    return {
        "type": "statement",
        "id": statement_id,
        "report": "r1",
        "speaker": speaker,
        "quote": "It lasted 75 minutes.",
    }


def speakers(invoke: Invoke) -> dict[str, str]:
    result = invoke("statements", "--json")
    assert result.exit_code == 0, result.output
    return {s["id"]: s["speaker"] for s in orjson.loads(result.stdout)["statements"]}


# -- 1. one way to match ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("spelling", "named_as"),
    [
        (" Zeddy ", "Zeddy"),
        ("Zeddy", " zeddy\t"),
        ("Volodymyr  Zelensky", "volodymyr zelensky"),
        ("Ze\u0301lensky", "Z\u00e9lensky"),  # decomposed and composed é
        ("Z\u00e9lensky", "ze\u0301lensky"),
        ("Straße", "STRASSE"),
    ],
)
def test_an_alias_is_named_however_it_is_spaced_cased_or_composed(
    small_store: Invoke, spelling: str, named_as: str
) -> None:
    """Named in a later import, and by a later command, as it was spelled otherwise."""
    actor = {"type": "actor", "id": "zel", "name": "V. Z.", "aliases": [spelling]}
    assert small_store("import", "-", input=ndjson([actor])).exit_code == 0
    result = small_store("import", "-", input=ndjson([statement_by(named_as)]))
    assert result.exit_code == 0, result.output
    result = small_store(
        "record", "statement", "--id", "s-cli", "--report", "r1", "--speaker", named_as,
        "--quote", "It lasted 75 minutes.",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert speakers(small_store) == {"s-zel": "zel", "s-cli": "zel"}


def test_an_alias_spaced_otherwise_cannot_be_claimed_by_another_actor(
    small_store: Invoke,
) -> None:
    assert small_store("import", "-", input=ndjson([ZEL])).exit_code == 0
    before = exported(small_store)
    other = {"type": "actor", "id": "other", "name": "Other", "aliases": ["Zeddy"]}
    result = small_store("import", "-", input=ndjson([other]))
    check_error(
        result, 1, "<stdin>:1:", "already names actor 'zel'", before=before,
        after=exported(small_store),
    )  # fmt: skip
    result = small_store("actor", "add", "other", "--name", "ZEDDY")
    check_error(result, 1, "already names actor 'zel'", before=before, after=exported(small_store))
    result = small_store("actor", "alias", "Trump", "zeddy ")
    check_error(result, 1, "already names actor 'zel'", before=before, after=exported(small_store))


def test_within_one_import_two_spellings_of_one_alias_are_one_alias(small_store: Invoke) -> None:
    before = exported(small_store)
    other = {"type": "actor", "id": "other", "name": "Other", "aliases": ["zeddy"]}
    result = small_store("import", "-", input=ndjson([ZEL, other]))
    check_error(
        result, 1, "<stdin>:2:", "already names actor 'zel'", before=before,
        after=exported(small_store),
    )  # fmt: skip


def test_a_store_with_spaced_aliases_exports_what_imports_back(
    small_store: Invoke, tmp_path: Path
) -> None:
    """Each record in an import of its own: the later ones name the alias as stored."""
    records = [
        ZEL,
        statement_by("Zeddy"),
        {"type": "aliases", "actor": "zeddy", "aliases": ["  Z  "]},
    ]
    for record in records:
        result = small_store("import", "-", input=ndjson([record]))
        assert result.exit_code == 0, result.output
    export = exported(small_store)
    copy = f"sqlite:///{tmp_path}/copy.db"
    result = CliRunner().invoke(main, ["--store", copy, "import", "-"], input=export)
    assert result.exit_code == 0, result.output
    again = CliRunner().invoke(main, ["--store", copy, "export"])
    assert again.stdout == export


def test_names_keep_their_spelling(small_store: Invoke) -> None:
    """Only matching is normalised: the analyst's spelling is what is stored and shown."""
    result = small_store("import", "-", input=ndjson([ZEL]))
    assert result.exit_code == 0, result.output
    actors = orjson.loads(small_store("actor", "list", "--json").stdout)
    assert [a["aliases"] for a in actors if a["id"] == "zel"] == [[" Zeddy "]]


def test_alias_keys_are_stable() -> None:
    """A key keyed again is the same key: the view keys what the batch has keyed."""
    for name in [" Zeddy ", "Ze\u0301lensky", "ΐ", "\U0001d160", "Straße", "a\u2028b\u0085 c"]:
        assert alias_key(alias_key(name)) == alias_key(name)


# -- 2. no longer than the alias index holds -------------------------------------------

LONG = "a" * 5000


@pytest.mark.parametrize(
    "args",
    [
        ["actor", "add", "longal", "--name", "L", "--alias", LONG],
        ["actor", "add", "longal", "--name", LONG],
        ["actor", "add", "longal", "--name", "L", "--alias", "é" * (MAX_NAME_CHARS + 1)],
        # Few characters, many bytes: 201 of four bytes each.
        ["actor", "add", "longal", "--name", "L", "--alias", "\U0001d160" * 201],
        ["actor", "alias", "Trump", LONG],
    ],
    ids=["alias", "name", "alias-chars", "alias-bytes", "actor-alias"],
)
def test_a_name_or_alias_too_long_for_the_index_is_refused_before_anything_is_appended(
    small_store: Invoke, args: list[str]
) -> None:
    """On PostgreSQL, a 5,000-character alias was appended, then the view failed on
    its index ("index row size 5016 exceeds btree maximum 2704"), and every reader
    after it."""
    before = exported(small_store)
    result = small_store(*args)
    check_error(result, 1, "too long", before=before, after=exported(small_store))
    assert small_store("verify").exit_code == 0


@pytest.mark.parametrize(
    "records",
    [
        [{"type": "actor", "id": "longal", "name": "L", "aliases": [LONG]}],
        [{"type": "actor", "id": "longal", "name": LONG}],
        [{"type": "aliases", "actor": "Trump", "aliases": ["ok", LONG]}],
    ],
    ids=["alias", "name", "aliases-record"],
)
def test_an_import_of_a_name_too_long_is_refused_naming_its_line(
    small_store: Invoke, records: list[dict[str, object]]
) -> None:
    before = exported(small_store)
    result = small_store("import", "-", input=ndjson(records))
    check_error(result, 1, "<stdin>:1:", "too long", before=before, after=exported(small_store))


def test_the_longest_alias_is_taken_and_named(small_store: Invoke) -> None:
    """At the limit, with the character whose key is three times its bytes, the key
    still fits the PostgreSQL index."""
    longest = "\U0001d160" * (MAX_NAME_BYTES // 4)
    assert len(longest) <= MAX_NAME_CHARS
    assert len(alias_key(longest).encode()) == 3 * MAX_NAME_BYTES
    result = small_store("actor", "add", "longal", "--name", "L", "--alias", longest)
    assert result.exit_code == 0, result.output
    result = small_store("import", "-", input=ndjson([statement_by(longest)]))
    assert result.exit_code == 0, result.output
    assert speakers(small_store) == {"s-zel": "longal"}
    assert small_store("verify").exit_code == 0
