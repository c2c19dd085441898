"""A development type registered in process is shown like a built-in one: its lane,
legend entry, colour rules (under the page's style hash) and export row all come from
its ``Kind``. The end-to-end test of a plugin type named in TRACKER_KINDS is elsewhere;
this one builds the page's model by hand, without a store."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.test_exports import debian_tool
from tests.test_timeline import Parsed, browse
from tracker.export_rows import export_row
from tracker.formatting import Names, field_text, label
from tracker.kinds import KINDS, Exported, Fields, Kind, NameOf, field, lane, may_be_ahead, register
from tracker.kinds import registry as kind_registry
from tracker.timeline import Known, render_page
from tracker.timeline_model import Account, Development

DAY = "2025-12-28"
ACTORS = [
    {"id": "putin", "name": "Vladimir Putin", "aliases": ["Putin"]},
    {"id": "trump", "name": "Donald Trump", "aliases": ["Trump"]},
]
REPORT = {
    "id": "r1",
    "outlet": "Wire",
    "published": "2025-12-21",
    "published_lower": "2025-12-21",
    "published_upper": "2025-12-21",
    "title": None,
    "url": None,
}


def truce_headline(fields: Fields, brief: NameOf) -> str:
    return "Truce: " + "\u2013".join(brief(p) for p in fields.get("parties", ()))


TRUCE = Kind(
    name="truce",
    plural="truces",
    fields=(
        field("parties", "actors", required=True),
        field("status", "choice", choices=("agreed", "broken")),
        field("line", "text"),
        field("terms", "texts"),
        field("occurred", "date"),
    ),
    headline=truce_headline,
    columns=("parties", "status", "line"),
    colour="#123ABC",
    exported=Exported(location="line"),
)


@pytest.fixture
def truce() -> Iterator[Kind]:
    """The type, registered for one test and then taken out of the registry again."""
    register(TRUCE)
    try:
        yield TRUCE
    finally:
        KINDS.pop(TRUCE.name, None)
        kind_registry._SPECS.pop(TRUCE.name, None)


def development(kind: str, development_id: str, fields: dict[str, Any]) -> Development:
    account = Account("r1", "Wire", DAY, "2025-12-21", False, None, None, None, None, False, None)
    return Development(
        id=development_id,
        kind=kind,
        status=fields.get("status"),
        fields=fields,
        retracted=False,
        lower="2025-12-20",
        upper="2025-12-20",
        date_text="2025-12-20",
        dated_by="occurred",
        first_known="2025-12-21",
        accounts=(account,),
    )


def truce_development() -> Development:
    occurred = {"text": "2025-12-20", "lower": "2025-12-20", "upper": "2025-12-20"}
    fields = {
        "parties": ["putin", "trump"],
        "status": "agreed",
        "line": "Dnipro",
        "terms": ["no shelling", "prisoner swap"],
        "occurred": occurred,
    }
    return development("truce", "truce-1", fields)


def page_of(developments: list[Development]) -> str:
    known = Known(
        position=len(developments),
        names=Names(ACTORS),
        developments=developments,
        reports=[REPORT],
        report_by_id={"r1": REPORT},
        upcoming=[],
        issues=[],
        call_history=[],
    )
    return render_page(known, DAY, DAY)


def test_a_registered_type_takes_the_last_lane_and_leaves_with_its_registration() -> None:
    before = tuple(KINDS)
    with pytest.raises(ValueError):
        lane("truce")
    register(TRUCE)
    try:
        assert tuple(KINDS) == (*before, "truce")
        assert lane("truce") == len(before)
        assert not may_be_ahead("truce")
        assert [name for name in KINDS if may_be_ahead(name)] == ["call", "meeting"]
    finally:
        KINDS.pop(TRUCE.name, None)
        kind_registry._SPECS.pop(TRUCE.name, None)
    assert tuple(KINDS) == before


def test_the_page_shows_a_registered_type(truce: Kind) -> None:
    call = development("call", "call-1", {"participants": ["putin", "trump"], "status": "held"})
    text = page_of([call, truce_development()])
    parsed = Parsed(text)
    (style,) = parsed.all("style")
    # its colour rules are in the one style sheet, which the policy's hash covers
    assert ".k-truce { fill: #123ABC; stroke: #123ABC; }" in style.text.splitlines()
    assert ".k-bg-truce { background: #123ABC; }" in style.text.splitlines()
    assert ".k-border-truce { border-left-color: #123ABC !important; }" in style.text
    digest = base64.b64encode(hashlib.sha256(style.text.encode()).digest()).decode()
    (policy,) = [e.attrs["content"] for e in parsed.all("meta") if "http-equiv" in e.attrs]
    assert f"style-src 'sha256-{digest}'" in policy
    # the legend names it by its plural, in lane order, with its count; so does its lane
    assert "class='k-truce'/></svg>truces <b>1</b></li>" in text
    assert text.index("</svg>calls <b>1</b>") < text.index("</svg>truces <b>1</b>")
    lanes = re.findall(r"<text class='lane-label'[^>]*>([a-z]+)</text>", text)
    assert lanes == [*(kind.plural for kind in KINDS.values())] and lanes[-1] == "truces"
    (mark,) = [m for m in parsed.marks() if m.attrs["data-kind"] == "truce"]
    assert mark.attrs["data-dev"] == "truce-1"
    assert "Truce: Putin\u2013Trump" in text
    assert "<article class='dev k-border-truce' id='d-truce-1'" in text


def test_the_export_row_of_a_registered_type(truce: Kind) -> None:
    names = Names(ACTORS)
    row = export_row(truce_development(), names)
    assert row["event_type"] == "truce"
    assert row["sub_type"] == "agreed"
    assert row["actors"] == "putin;trump"
    assert row["location"] == "Dnipro"
    # the fields no other column shows, each as its shape says
    assert (
        row["notes"] == "parties: Vladimir Putin, Donald Trump; terms: no shelling; prisoner swap"
    )
    assert label(truce_development(), names, limit=120) == "Truce: Putin\u2013Trump"
    assert field_text("parties", ["trump"], names, "truce") == "Donald Trump"


def test_an_empty_headline_falls_back_to_the_id(truce: Kind) -> None:
    assert label(development("truce", "truce-2", {}), Names(ACTORS)) == "Truce:"
    assert label(development("plan", "plan-2", {}), Names(ACTORS)) == "plan-2"


def test_in_chromium_the_generated_colours_are_allowed(truce: Kind, tmp_path: Path) -> None:
    """The policy's style hash matches the sheet with the generated rules: Chromium
    applies it without a complaint, and complains of a sheet changed after hashing."""
    chromium = debian_tool("chromium", "chromium")
    text = page_of([truce_development()])
    target = tmp_path / "page.html"
    target.write_text(text, encoding="utf-8")
    dom, console = browse(chromium, target, "--dump-dom")
    assert console == []
    (html,) = Parsed(dom).all("html")
    assert "js" in html.classes
    target.write_text(text.replace("#123ABC;", "#123ABD;", 1), encoding="utf-8")
    _, console = browse(chromium, target, "--dump-dom")
    assert any("Content Security Policy" in line for line in console), console
