"""The timeline page: self-contained, every development a mark, report text escaped;
rendered in headless Chromium for a screenshot, console errors and planted scripts.

Set TRACKER_UPDATE_SCREENSHOT=1 to refresh docs/timeline.png from the fixtures' page.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import subprocess
from collections import Counter
from datetime import date
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path
from types import SimpleNamespace

import orjson
import pytest

from projections.answers import ALL_KINDS
from tests.conftest import PROJECT, Invoke, ndjson
from tests.test_exports import (
    DAY,
    FIXTURE_COUNTS,
    ODD_DATES,
    csv_rows,
    debian_tool,
    not_over,
    plant,
    plant_odd_dates,
)
from tracker import timeline
from tracker.application import Tracker
from tracker.kinds import KINDS
from tracker.store import StoreLocation

TITLE = "Peace process timeline: as of 2025-12-28, as known at 2025-12-28"
SCREENSHOT = PROJECT / "docs" / "timeline.png"


class Element:
    def __init__(self, tag: str, attrs: dict[str, str]) -> None:
        self.tag = tag
        self.attrs = attrs
        self.text = ""

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())


class Parsed(HTMLParser):
    """Every element with its attributes, and the text of title, style and script."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {name: value or "" for name, value in attrs})
        self.elements.append(element)
        if tag in ("title", "style", "script"):
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1].tag == tag:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[-1].text += data

    def all(self, tag: str | None = None, cls: str | None = None) -> list[Element]:
        return [
            e
            for e in self.elements
            if (tag is None or e.tag == tag) and (cls is None or cls in e.classes)
        ]

    def marks(self) -> list[Element]:
        return self.all("a", "mark")


def page(invoke: Invoke, folder: Path, *args: str) -> tuple[str, Path]:
    target = folder / "page.html"
    result = invoke("timeline", "-o", str(target), *args)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(target.resolve())
    return target.read_text(encoding="utf-8"), target


def known(store_url: str, known_at: str) -> int:
    tracker = Tracker.open(StoreLocation.parse(store_url), existing=True)
    try:
        tracker.catch_up()
        return len(tracker.view.current_versions(ALL_KINDS, known_at, include_retracted=True))
    finally:
        tracker.close()


# -- the page, on both backends -------------------------------------------------------------


def test_timeline_writes_timeline_html_here_by_default(
    seeded: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = seeded("timeline")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{tmp_path / 'timeline.html'}\n"
    assert (tmp_path / "timeline.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_page_is_self_contained(seeded: Invoke, tmp_path: Path) -> None:
    text, _ = page(seeded, tmp_path, *DAY)
    parsed = Parsed(text)
    for tag in ("link", "img", "iframe", "object", "embed", "image", "use", "base", "form"):
        assert not parsed.all(tag), tag
    assert not [e for e in parsed.elements if "src" in e.attrs or "srcset" in e.attrs]
    ids = {e.attrs["id"] for e in parsed.elements if "id" in e.attrs}
    for element in parsed.elements:
        for name in ("href", "xlink:href"):
            if name in element.attrs:
                assert element.attrs[name].startswith("#"), element.attrs
                assert element.attrs[name][1:] in ids, element.attrs
    (style,) = parsed.all("style")
    (script,) = parsed.all("script")
    assert "url(" not in style.text and "@import" not in style.text
    assert "@media print" in style.text
    (policy,) = [
        e.attrs["content"]
        for e in parsed.all("meta")
        if e.attrs.get("http-equiv") == "Content-Security-Policy"
    ]
    assert "default-src 'none'" in policy
    # The browser runs the style sheet and the script only if their hashes match.
    for element in (style, script):
        digest = base64.b64encode(hashlib.sha256(element.text.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy
    # ... and they are the package's own files, byte for byte, the style sheet after the
    # colour rules of each registered type (three a type, from its registered colour)
    static = resources.files("tracker").joinpath("static")
    css = static.joinpath("timeline.css").read_bytes().decode()
    assert style.text.endswith(css)
    rules = style.text.removesuffix(css).splitlines()
    assert len(rules) == 3 * len(KINDS)
    for kind in KINDS.values():
        assert f".k-{kind.name} {{ fill: {kind.colour}; stroke: {kind.colour}; }}" in rules
    assert script.text.encode() == static.joinpath("timeline.js").read_bytes()
    (title,) = parsed.all("title")[:1]
    assert title.text == TITLE


def test_a_static_file_that_could_end_its_element_early_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "bad.js").write_text("var s = '</SCRIPT><b>';\n", encoding="utf-8")
    (tmp_path / "static" / "good.js").write_text("var s = 1;\n", encoding="utf-8")
    monkeypatch.setattr(timeline, "resources", SimpleNamespace(files=lambda _: tmp_path))
    with pytest.raises(ValueError, match=r"bad\.js cannot be put inline"):
        timeline.InlineAsset.load("bad.js")
    good = timeline.InlineAsset.load("good.js")
    assert good.sha256 == base64.b64encode(hashlib.sha256(b"var s = 1;\n").digest()).decode()


def test_every_development_is_a_mark(seeded: Invoke, store_url: str, tmp_path: Path) -> None:
    text, _ = page(seeded, tmp_path, *DAY)
    parsed = Parsed(text)
    marks = parsed.marks()
    assert len(marks) == known(store_url, "2025-12-28") == sum(FIXTURE_COUNTS.values())
    assert Counter(mark.attrs["data-kind"] for mark in marks) == FIXTURE_COUNTS
    assert len({mark.attrs["data-dev"] for mark in marks}) == len(marks)
    # one line per development from when it happened to its first report, one tick per report
    assert len(parsed.all("g", "lag")) == len(marks)
    assert len(parsed.all("g", "report-tick")) == 5
    assert len(parsed.all("article", "dev")) == len(marks)
    # fuzzy dates are spans; undated ones sit at their first report, hollow
    spans = {m.attrs["data-dev"] for m in marks if 'class="span' in _inner(text, m)}
    assert {"call-2025-early-trump-putin", "meeting-2025-10-trump-zelenskyy"} <= spans
    assert "call-2025-12-28-trump-putin" not in spans
    # the calls over knowledge time, recorded beside claimed
    assert "Putin + Trump: recorded 3" in text
    assert "Putin + Trump: claimed 9 (6 not in the record)" in text
    # the next meetings and the open issues as cards with their sources
    cards = text.split("<h2>Open issues</h2>")
    assert "meeting-2025-12-28-mar-a-lago" in cards[0] and "Mar-a-Lago" in cards[0]
    assert "<b>r-000</b> Zee News" in cards[0]
    assert cards[1].split("<section class='developments'>")[0].count("<article class='card") == 9


def _inner(text: str, mark: Element) -> str:
    """The markup of one mark (found by its data-dev)."""
    start = text.index(f"data-dev='{mark.attrs['data-dev']}' data-kind")
    return text[start : text.index("</a>", start)].replace("'", '"')


def test_the_page_is_as_of_d_and_as_known_at_k(seeded: Invoke, tmp_path: Path) -> None:
    early = ("--as-of", "2025-02-23", "--known-at", "2025-02-23")
    text, _ = page(seeded, tmp_path, *early)
    marks = {mark.attrs["data-dev"] for mark in Parsed(text).marks()}
    rows = csv_rows(seeded("export", "--format", "csv", *early).stdout)
    assert marks == {row["event_id"] for row in rows}
    assert marks and not [mark for mark in marks if "2025-12" in mark]
    assert "r-000" not in text  # not yet published


def test_report_text_is_escaped_and_retractions_struck(seeded: Invoke, tmp_path: Path) -> None:
    plant(seeded)
    text, _ = page(seeded, tmp_path)
    parsed = Parsed(text)
    assert len(parsed.all("script")) == 1
    assert len(parsed.all("svg")) == len(re.findall(r"</svg>", text))
    for planted in ("<img", "<script>document", "<b>denied", "<b>&", "<i>&", "</title><script"):
        assert planted not in text, planted
    # as text, escaped by the templates (MarkupSafe writes an apostrophe as &#39;)
    assert "&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;&lt;/svg&gt;" in text
    assert "javascript:alert(1)" in text  # shown as text, never a link
    assert not [e for e in parsed.elements if e.attrs.get("href", "#").startswith("javascript")]
    (title,) = parsed.all("title")[:1]
    assert "pwned" not in title.text
    (script,) = parsed.all("script")
    assert "pwned" not in script.text and "Mallory" not in script.text
    retracted = [m for m in parsed.marks() if "retracted" in m.classes]
    assert [m.attrs["data-dev"] for m in retracted] == ["call-2025-10-trump-putin"]
    assert "class='strike-through'" in _inner(text, retracted[0]).replace('"', "'")
    (article,) = parsed.all("article", "retracted")
    assert article.attrs["data-dev"] == "call-2025-10-trump-putin"


def test_since_leaves_out_what_ended_before_it(seeded: Invoke, tmp_path: Path) -> None:
    since = "2025-11-01"
    text, _ = page(seeded, tmp_path, *DAY, "--since", since)
    parsed = Parsed(text)
    rows = csv_rows(seeded("export", "--format", "csv", *DAY).stdout)
    later = {row["event_id"] for row in not_over(rows, since)}
    assert 0 < len(later) < len(rows)
    assert {mark.attrs["data-dev"] for mark in parsed.marks()} == later
    assert len(parsed.all("article", "dev")) == len(later)
    assert parsed.all("title")[0].text == f"{TITLE}, since {since}"
    listed = orjson.loads(seeded("report", "list", "--json").stdout)
    reports = [r for r in listed if since <= r["published_upper"] <= DAY[1]]
    assert 0 < len(parsed.all("g", "report-tick")) == len(reports) < 5


def test_a_page_too_large_is_refused_with_a_since_that_fits(seeded: Invoke, tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    target = folder / "page.html"
    result = seeded("timeline", "-o", str(target), *DAY, "--max-developments", "6")
    assert result.exit_code == 1, result.output
    (line,) = result.stderr.splitlines()
    found = re.fullmatch(
        r"Error: the timeline would show (\d+) developments, more than a page can hold \(6\):"
        r" choose a later --since \((\d{4}-\d{2}-\d{2}) leaves 6 or fewer\), or raise"
        r" --max-developments",
        line,
    )
    assert found, line
    assert int(found[1]) == sum(FIXTURE_COUNTS.values())
    assert not list(folder.iterdir())  # no page, and no partial file
    text, _ = page(seeded, tmp_path, *DAY, "--since", found[2], "--max-developments", "6")
    assert 0 < len(Parsed(text).marks()) <= 6
    everything, _ = page(seeded, tmp_path, *DAY, "--max-developments", "0")
    assert len(Parsed(everything).marks()) == int(found[1])


def test_timeline_errors_are_one_line(seeded: Invoke, tmp_path: Path) -> None:
    result = seeded("timeline", "--as-of", "2025-02-30", "-o", str(tmp_path / "t.html"))
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "--as-of" in result.stderr
    result = seeded("timeline", "--since", "early 2025", "-o", str(tmp_path / "t.html"))
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "--since" in result.stderr
    missing = tmp_path / "no-such-folder" / "t.html"
    result = seeded("timeline", "-o", str(missing))
    assert result.exit_code == 1
    assert result.stderr == f"Error: cannot write {missing}: No such file or directory\n"
    result = seeded("timeline", "-o", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert not list(tmp_path.glob("*.html")) and not list(tmp_path.glob(".t.html*"))


# -- in a browser ---------------------------------------------------------------------------

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--enable-logging=stderr",
    "--v=0",
)


@pytest.fixture(scope="module")
def chromium() -> str:
    return debian_tool("chromium", "chromium")


def browse(chromium: str, target: Path, *action: str) -> tuple[str, list[str]]:
    """Open a page in headless Chromium: its stdout, and the page's console lines (any
    message, uncaught error or refused load; the page itself logs nothing)."""
    profile = target.parent / f"profile-{action[0].strip('-').split('=')[0]}"
    done = subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *action, target.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    shutil.rmtree(profile, ignore_errors=True)
    assert done.returncode == 0, done.stderr[-2000:]
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    return done.stdout, console


def test_console_errors_are_seen(chromium: str, tmp_path: Path) -> None:
    """The check below would see an error: it is not vacuous."""
    target = tmp_path / "broken.html"
    target.write_text("<!DOCTYPE html><title>x</title><script>throw new Error('boom')</script>")
    _, console = browse(chromium, target, "--dump-dom")
    assert any("boom" in line for line in console), console


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_screenshot_of_the_fixtures_page(chromium: str, seeded: Invoke, tmp_path: Path) -> None:
    _, target = page(seeded, tmp_path, *DAY)
    shot = tmp_path / "timeline.png"
    _, console = browse(chromium, target, f"--screenshot={shot}", "--window-size=1400,1800")
    assert console == []
    assert shot.read_bytes().startswith(b"\x89PNG") and shot.stat().st_size > 50_000
    if os.environ.get("TRACKER_UPDATE_SCREENSHOT"):
        SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copyfile(shot, SCREENSHOT)


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_in_chromium_marks_show_and_planted_scripts_never_run(
    chromium: str, seeded: Invoke, store_url: str, tmp_path: Path
) -> None:
    plant(seeded)
    _, target = page(seeded, tmp_path)
    dom, console = browse(chromium, target, "--dump-dom")
    assert console == []
    parsed = Parsed(dom)
    (html,) = parsed.all("html")
    assert "js" in html.classes  # the page's own script ran (its hash matched)
    (title,) = parsed.all("title")[:1]
    assert title.text.startswith("Peace process timeline: as of ")
    assert not [e for e in parsed.elements if "data-pwned" in e.attrs]
    assert not parsed.all("img")
    assert len(parsed.all("script")) == 1
    marks = parsed.marks()
    expected = known(store_url, date.today().isoformat())
    assert len(marks) == expected == sum(FIXTURE_COUNTS.values()) + 2  # statement, claim
    assert len(parsed.all("g", "lag")) == expected
    # the planted markup is on the page as text
    assert "&lt;script&gt;document.title='pwned'&lt;/script&gt;&lt;/svg&gt;&lt;img src=x" in dom


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_in_chromium_a_page_since_a_day_shows_its_marks(
    chromium: str, seeded: Invoke, tmp_path: Path
) -> None:
    text, target = page(seeded, tmp_path, *DAY, "--since", "2025-11-01")
    dom, console = browse(chromium, target, "--dump-dom")
    assert console == []
    parsed = Parsed(dom)
    (html,) = parsed.all("html")
    assert "js" in html.classes
    marks = [mark.attrs["data-dev"] for mark in parsed.marks()]
    assert marks and marks == [mark.attrs["data-dev"] for mark in Parsed(text).marks()]


def test_pages_of_an_empty_store_and_of_odd_dates(invoke: Invoke, tmp_path: Path) -> None:
    assert invoke("init").exit_code == 0
    text, _ = page(invoke, tmp_path)
    assert not Parsed(text).marks()
    assert "No development is known." in text
    assert "No calls or call-count claims known." in text
    records: list[dict[str, object]] = [
        {"type": "actor", "id": "trump", "name": "Donald Trump", "aliases": ["Trump"]},
        {"type": "actor", "id": "putin", "name": "Vladimir Putin", "aliases": ["Putin"]},
        {"type": "report", "id": "r1", "outlet": "Wire", "published": "2025-12-28"},
    ]
    assert invoke("import", "-", input=ndjson(records)).exit_code == 0
    plant_odd_dates(invoke)
    text, _ = page(invoke, tmp_path)
    marks = Parsed(text).marks()
    assert sorted(mark.attrs["data-dev"] for mark in marks) == sorted(ODD_DATES)
    # open ends run to the edge of the axis; every coordinate is a number
    assert not re.search(r"='(nan|inf|-inf)", text)
