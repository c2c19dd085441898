"""A synthetic corpus shaped like a long war's record, written as tracker NDJSON.

Deterministic: the same size and seed give a byte-identical file (only ``FastRandom``
seeded from integers, no set iteration, orjson with insertion-ordered dicts). Streaming:
report texts are regenerated from a per-report seed when their accounts are written, so
memory stays flat whatever the size.

The file holds ``actor`` and ``aliases`` records, then every ``report`` (in publication
order, each with an inline ``text``), then the accounts report by report: a retold
development's first account comes from an earlier report, a retraction's target already
exists, and every quote is cut verbatim from its report's text.
"""

from __future__ import annotations

import hashlib
import math
import random
import time
from bisect import bisect
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

import orjson

T = TypeVar("T")


def _split(text: str) -> tuple[str, ...]:
    return tuple(text.split())


DEFAULT_SEED = 20220224
DEFAULT_SIZE = 1_000_000
FULL_SIZE = 1_000_000
FULL_REPORTS = 20_000
MIN_REPORTS = 200
ACTOR_COUNT = 300
LEADER_COUNT = 40

START = date(2022, 2, 24)
SPAN_DAYS = 4 * 365 + 1  # four years of war
DAYS = [(START + timedelta(days=offset)).isoformat() for offset in range(SPAN_DAYS + 60)]

# Share of accounts by what they are; the rest are the ordinary kinds below.
RETRACTION_SHARE = 0.01
PLAN_ISSUE_SHARE = 0.005
RETELL_SHARE = 0.30
FUZZY_SHARE = 0.20
QUOTE_SHARE = 0.50
ALIAS_REFERENCE_SHARE = 0.10
KIND_WEIGHTS = (
    ("strike", 0.42),
    ("statement", 0.30),
    ("claim", 0.12),
    ("call", 0.09),
    ("meeting", 0.07),
)
# Quotes on about half of all accounts: statements always carry theirs.
OTHER_QUOTE_SHARE = (QUOTE_SHARE - 0.30) / 0.70

WORDS = _split(
    "the forces said on a of in and to that it was were have has had after before during"
    " ceasefire talks negotiators delegation front line offensive counteroffensive drones"
    " missiles artillery shelling air defence intercepted region city village border"
    " bridge power plant grid substation port grain corridor convoy humanitarian aid"
    " prisoners exchange sanctions embassy ministry spokesman officials confirmed denied"
    " reported according sources statement telephone conversation meeting summit envoy"
    " proposal framework guarantees security territory referendum troops withdrawal"
    " mobilisation reserves winter supplies ammunition tanks armoured vehicles brigade"
    " battalion positions trenches reconnaissance overnight morning evening yesterday"
    " today week month several dozens hundreds civilians casualties wounded killed"
    " residential buildings damaged destroyed fire emergency services rescue rubble"
    " governor mayor president minister foreign defence prime deputy adviser aide"
    " agreement draft points plan revised version discussed proposed rejected accepted"
    " conditions demands recognition occupied liberated annexed frontier pressure talks"
    " channel mediation allies partners western eastern southern northern capital"
    " airfield depot refinery warehouse railway junction station logistics hub strike"
    " launched fired shot down fragments debris struck hit targeted attack assault"
    " repelled advanced retreated captured held lost gained kilometres metres miles"
    " analysts observers monitors mission report inquiry evidence investigation court"
    " crimes justice accountability leaders summit capital visit trip arrived returned"
    " warned threatened promised pledged announced signed initialled postponed delayed"
    " cancelled resumed paused broke violated accused blamed welcomed praised criticised"
)
OUTLETS = (
    "Reuters",
    "Associated Press",
    "Agence France-Presse",
    "BBC News",
    "The Kyiv Independent",
    "Ukrainska Pravda",
    "Interfax",
    "TASS",
    "RIA Novosti",
    "Meduza",
    "The New York Times",
    "The Washington Post",
    "The Guardian",
    "Financial Times",
    "Der Spiegel",
    "Le Monde",
    "Al Jazeera",
    "Anadolu Agency",
    "Kyodo News",
    "Xinhua",
    "Bloomberg",
    "Politico Europe",
    "Radio Liberty",
    "Novaya Gazeta Europe",
    "Hromadske",
    "Suspilne",
    "Deutsche Welle",
    "Euronews",
    "CNN",
    "Sky News",
)
PLACES = _split(
    "Kharkiv Kherson Zaporizhzhia Dnipro Odesa Mykolaiv Sumy Chernihiv Poltava Lviv Rivne"
    " Kyiv Kramatorsk Sloviansk Pokrovsk Bakhmut Avdiivka Kupiansk Izium Lyman Toretsk"
    " Vuhledar Marinka Orikhiv Huliaipole Nikopol Kryvyi-Rih Vinnytsia Zhytomyr Uman"
    " Belgorod Kursk Bryansk Voronezh Rostov Novorossiysk Sevastopol Dzhankoi Melitopol"
    " Berdiansk Mariupol Donetsk Luhansk Horlivka Tokmak Enerhodar Kakhovka Nova-Kakhovka"
)
MEETING_PLACES = (*PLACES, "Istanbul", "Geneva", "Riyadh", "Minsk", "Vatican")
OBJECTS = (
    "power plant",
    "substation",
    "railway junction",
    "ammunition depot",
    "fuel depot",
    "oil refinery",
    "airfield",
    "port",
    "grain terminal",
    "apartment block",
    "bridge",
    "command post",
    "air-defence battery",
    "drone workshop",
    "warehouse",
    "market",
    "hospital",
    "school",
    "gas pipeline",
    "radar station",
)
WEAPONS = (
    "Shahed drone",
    "Geran-2 drone",
    "Kh-101 cruise missile",
    "Kalibr cruise missile",
    "Iskander-M ballistic missile",
    "Kh-22 missile",
    "KAB glide bomb",
    "S-300 missile",
    "HIMARS rocket",
    "Storm Shadow missile",
    "ATACMS missile",
    "Lancet loitering munition",
    "FPV drone",
    "long-range drone",
    "artillery shell",
)
TONES = ("cordial", "businesslike", "frank", "tense", "constructive", "productive", "difficult")
CLAIM_SUBJECTS = (
    "call-held",
    "casualties",
    "territory-captured",
    "drones-intercepted",
    "prisoners-exchanged",
    "ceasefire-violations",
)
PLAN_LABELS = (
    "peace formula",
    "framework agreement",
    "ceasefire plan",
    "security guarantees plan",
    "grain corridor plan",
    "prisoner exchange plan",
    "reconstruction plan",
    "energy truce",
    "Black Sea arrangement",
    "demilitarised zone proposal",
)
FIRST_NAMES = _split(
    "Adam Anna Boris Chloe Daniel Dmytro Elena Emil Ferdinand Giorgi Hanna Igor Ilya"
    " Ivan Jonas Karin Kateryna Lars Lena Maksym Maria Marek Mikhail Nadia Nikolai Olena"
    " Oleksandr Olga Pavel Petra Roman Sergei Sofia Stefan Svitlana Taras Tomas Viktor"
    " Yulia Yuri Zofia"
)
SYLLABLES = _split("ko va len ch uk ov sky rin dor mar tel bar nik sen hol lan pet ros gor zan")
TITLES_LEADER = ("President", "Prime Minister", "Chancellor", "Foreign Minister")
TITLES_OFFICIAL = ("Minister", "spokesperson", "envoy", "adviser", "governor", "mayor")


@dataclass(frozen=True)
class Actor:
    actor_id: str
    name: str
    aliases: tuple[str, ...]
    role: str


@dataclass
class CorpusStats:
    """What a generated file holds, for checking an import against it."""

    path: str
    size: int
    seed: int
    lines: int = 0
    actors: int = 0
    reports: int = 0
    accounts: int = 0  # development records and retractions
    developments: int = 0
    retold: int = 0
    retractions: int = 0
    fuzzy_dates: int = 0
    quotes: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    first_day: str = DAYS[0]
    last_day: str = DAYS[SPAN_DAYS - 1]
    seconds: float = 0.0
    sha256: str = ""
    sample_ids: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def report_count(size: int) -> int:
    """20,000 reports for a million accounts, in proportion below, at least 200."""
    return max(MIN_REPORTS, round(FULL_REPORTS * size / FULL_SIZE))


def plan_issue_count(size: int) -> int:
    """A few dozen plans and issues at full size, fewer for quick runs."""
    return max(6, min(48, round(48 * math.sqrt(size / FULL_SIZE))))


def _cumulative(weights: list[float]) -> list[float]:
    total = 0.0
    result = []
    for weight in weights:
        total += weight
        result.append(total)
    return result


def _surname(rng: FastRandom) -> str:
    parts = [rng.pick(SYLLABLES) for _ in range(rng.randint(2, 3))]
    return "".join(parts).capitalize()


def make_actors(rng: FastRandom) -> list[Actor]:
    """300 actors: 40 leaders first, then officials, states, armed forces and others,
    each alias unique across all actors (ignoring case)."""
    taken: set[str] = set()
    actors: list[Actor] = []

    def claim(values: list[str]) -> tuple[str, ...]:
        kept = []
        for value in values:
            key = value.strip().casefold()
            if key not in taken:
                taken.add(key)
                kept.append(value)
        return tuple(kept)

    def person(index: int, prefix: str, titles: tuple[str, ...], role: str) -> Actor:
        while True:
            first, last = rng.pick(FIRST_NAMES), _surname(rng)
            name = f"{first} {last}"
            actor_id = f"{prefix}-{last.lower()}-{index:03d}"
            if name.casefold() not in taken and actor_id not in taken:
                break
        claim([actor_id, name])
        title = rng.pick(titles)
        aliases = claim([last, f"{title} {last}", f"{title} {name}", f"{first[0]}. {last}"])
        return Actor(actor_id, name, aliases, f"{title} ({role})")

    for index in range(LEADER_COUNT):
        actors.append(person(index, "ldr", TITLES_LEADER, "leader"))
    for index in range(60):
        actors.append(person(index, "off", TITLES_OFFICIAL, "official"))
    for index in range(40):
        actor_id = f"state-{index:03d}"
        name = f"State of {_surname(rng)}ia {index}"
        claim([actor_id, name])
        aliases = claim([name.replace("State of ", ""), f"{name} government"])
        actors.append(Actor(actor_id, name, aliases, "state party"))
    for index in range(60):
        actor_id = f"force-{index:03d}"
        name = f"{rng.pick(PLACES)} {rng.pick(('Brigade', 'Corps', 'Army', 'Fleet'))} {index}"
        claim([actor_id, name])
        aliases = claim([f"{index}th formation", f"unit {index}"])
        actors.append(Actor(actor_id, name, aliases, "armed forces"))
    while len(actors) < ACTOR_COUNT:
        index = len(actors)
        actors.append(person(index, "oth", ("analyst", "commander", "negotiator"), "other"))
    return actors


class FastRandom(random.Random):
    """``random.Random`` with integer draws from one float each: several times faster
    than the stock rejection sampling, and as deterministic."""

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))

    def below(self, n: int) -> int:
        return int(self.random() * n)

    def pick(self, seq: Sequence[T]) -> T:
        return seq[int(self.random() * len(seq))]


SENTENCE_POOL = 4096


def sentence_pool(rng: FastRandom) -> list[str]:
    """Wire-copy sentences that report texts are assembled from."""
    sentences = []
    for _ in range(SENTENCE_POOL):
        chosen = rng.choices(WORDS, k=rng.randint(8, 20))
        chosen[0] = chosen[0].capitalize()
        sentences.append(" ".join(chosen) + ".")
    return sentences


def report_text(sentences: list[str]) -> str:
    paragraphs = [" ".join(sentences[i : i + 4]) for i in range(0, len(sentences), 4)]
    return "\n\n".join(paragraphs)


def cut_quote(rng: FastRandom, sentences: list[list[str]]) -> str:
    """A verbatim run of words from one sentence (given as its words) of the report."""
    words = rng.pick(sentences)
    length = min(len(words), rng.randint(4, 14))
    start = rng.randint(0, len(words) - length)
    return " ".join(words[start : start + length])


class _Dates:
    """Valid-time dates near a report's day: exact, or fuzzy EDTF on FUZZY_SHARE."""

    def __init__(self, rng: FastRandom, stats: CorpusStats) -> None:
        self.rng = rng
        self.stats = stats

    def around(self, day_index: int, back: int = 3, ahead: int = 0) -> str:
        rng = self.rng
        day = max(0, day_index - rng.randint(0, back) + rng.randint(0, ahead))
        if rng.random() >= FUZZY_SHARE:
            return DAYS[day]
        self.stats.fuzzy_dates += 1
        shape = rng.random()
        text = DAYS[day]
        if shape < 0.3:
            return text[:7]  # the month
        if shape < 0.55:
            return text + "~"  # about that day
        if shape < 0.7:
            return text[:7] + "~"  # about that month
        end = DAYS[min(day + rng.randint(1, 14), len(DAYS) - 1)]
        return f"{DAYS[max(0, day - rng.randint(1, 14))]}/{end}"  # an interval


class Generator:
    """Writes one corpus; see the module docstring for its shape."""

    def __init__(self, size: int, seed: int) -> None:
        self.size = size
        self.seed = seed
        self.rng = FastRandom(seed)
        self.actors = make_actors(self.rng)
        self.leaders = self.actors[:LEADER_COUNT]
        # Calls and meetings concentrate on a few leaders: Zipf weights.
        self.leader_weights = _cumulative([1.0 / (i + 1) for i in range(LEADER_COUNT)])
        self.speakers = self.actors[: LEADER_COUNT + 60]
        self.speaker_weights = _cumulative(
            [3.0 / (i + 1) if i < LEADER_COUNT else 0.05 for i in range(LEADER_COUNT + 60)]
        )
        self.forces = [a for a in self.actors if a.role == "armed forces"] + self.actors[100:140]
        self.leader_total = self.leader_weights[-1]
        self.speaker_total = self.speaker_weights[-1]
        self.pool = sentence_pool(self.rng)
        self.pool_words = [sentence.split(" ") for sentence in self.pool]
        self.attributions = [
            f"{self.rng.pick(self.speakers).name} via {self.rng.pick(OUTLETS)}" for _ in range(1024)
        ]
        self.report_total = report_count(size)
        self.plan_issue_total = plan_issue_count(size)
        self.quotes = 0
        self.report_sentence_ids: list[tuple[int, ...]] = []
        self._strike_pools()

    # -- actors --------------------------------------------------------------------

    def ref(self, actor: Actor) -> str:
        """An actor as an account names it: mostly the id, sometimes an alias."""
        if actor.aliases and self.rng.random() < ALIAS_REFERENCE_SHARE:
            return self.rng.pick(actor.aliases)
        return actor.actor_id

    def leader(self) -> Actor:
        return self.leaders[bisect(self.leader_weights, self.rng.random() * self.leader_total)]

    def leader_pair(self) -> list[Actor]:
        first = self.leader()
        second = first
        while second is first:
            second = self.leader()
        return [first, second]

    # -- the file ------------------------------------------------------------------

    def lines(self, stats: CorpusStats) -> Iterator[bytes]:
        dumps = orjson.dumps
        for actor in self.actors:
            stats.actors += 1
            yield dumps(
                {
                    "type": "actor",
                    "id": actor.actor_id,
                    "name": actor.name,
                    "aliases": list(actor.aliases),
                    "role": actor.role,
                }
            )
        for actor in self.actors[:20]:
            stats.by_type["aliases"] = stats.by_type.get("aliases", 0) + 1
            yield dumps(
                {"type": "aliases", "actor": actor.actor_id, "aliases": [f"{actor.name} Jr"]}
            )
        reports = self._report_days()
        for index, (day_index, published, _) in enumerate(reports):
            yield dumps(self._report(index, day_index, published))
            stats.reports += 1
        yield from self._accounts(reports, stats)

    def sentences_of(self, index: int) -> list[str]:
        """Report ``index``'s sentences, drawn from the pool when it was written."""
        pool = self.pool
        return [pool[n] for n in self.report_sentence_ids[index]]

    def _report_days(self) -> list[tuple[int, str, int]]:
        """Each report's day index, EDTF publication date and latest possible day index,
        in publication order; a few are known only to a few days."""
        rng = self.rng
        days = sorted(rng.below(SPAN_DAYS) for _ in range(self.report_total))
        result = []
        self.report_sentence_ids = [
            tuple(rng.below(SENTENCE_POOL) for _ in range(rng.randint(24, 44))) for _ in days
        ]
        for day in days:
            published, upper = DAYS[day], day
            if rng.random() < 0.03:
                upper = day + rng.randint(1, 3)
                published = f"{DAYS[day]}/{DAYS[upper]}"
            result.append((day, published, upper))
        return result

    def _report(self, index: int, day_index: int, published: str) -> dict[str, Any]:
        rng = self.rng
        sentences = self.sentences_of(index)
        outlet = rng.pick(OUTLETS)
        record: dict[str, Any] = {
            "type": "report",
            "id": f"r-{index:06d}",
            "outlet": outlet,
            "published": published,
            "title": sentences[0][:-1],
            "text": report_text(sentences),
        }
        if rng.random() < 0.5:
            slug = outlet.lower().replace(" ", "-")
            record["url"] = f"https://{slug}.example/{DAYS[day_index]}/{index}"
        if rng.random() < 0.05:
            record["note"] = "Date and outlet checked against the wire archive."
        return record

    def _accounts(self, reports: list[tuple[int, str, int]], stats: CorpusStats) -> Iterator[bytes]:
        """Accounts report by report. A development is retold or retracted only by a
        report certainly published no earlier than its first account's report: as known
        at any day, its first account is then among those known."""
        rng = self.rng
        dates = _Dates(rng, stats)
        kinds = [kind for kind, _ in KIND_WEIGHTS]
        kind_weights = _cumulative([weight for _, weight in KIND_WEIGHTS])
        kind_total = kind_weights[-1]
        by_type = stats.by_type
        # Developments that earlier reports told, per kind, in order of first telling.
        told: dict[str, list[str]] = {kind: [] for kind in kinds}
        # The latest possible publication day of each development's first report.
        first_known: dict[str, int] = {}
        pending: dict[str, str] = {}  # first told by the current report: id -> kind
        retracted: set[str] = set()
        all_ids: list[str] = []
        plans_issues = self._plan_issue_ids()
        counters = dict.fromkeys(kinds, 0)
        # Accounts per report vary around the mean.
        shares = _cumulative([rng.uniform(0.3, 1.7) for _ in reports])
        scale = self.size / shares[-1]
        written = 0
        previous_upper = 0
        dumps = orjson.dumps
        for index, (day_index, _, upper) in enumerate(reports):
            report_id = f"r-{index:06d}"
            target = self.size if index == len(reports) - 1 else round(shares[index] * scale)
            sentences = [self.pool_words[n] for n in self.report_sentence_ids[index]]
            for development_id, kind in pending.items():
                if kind in told:
                    told[kind].append(development_id)
                first_known[development_id] = previous_upper
                all_ids.append(development_id)
            pending = {}
            previous_upper = upper
            while written < target:
                written += 1
                roll = rng.random()
                if roll < RETRACTION_SHARE and all_ids:
                    retraction = self._retraction(
                        all_ids, retracted, first_known, day_index, report_id, sentences
                    )
                    if retraction is not None:
                        stats.retractions += 1
                        yield dumps(retraction)
                        continue
                if roll < RETRACTION_SHARE + PLAN_ISSUE_SHARE:
                    kind, development_id = plans_issues[rng.below(len(plans_issues))]
                    # One report tells a plan or issue once; otherwise an ordinary kind.
                    if development_id not in pending and (
                        first_known.get(development_id, -1) <= day_index
                    ):
                        first = development_id not in first_known
                        record = self._plan_issue(kind, development_id, report_id, first)
                        self._account_extras(record, kind, sentences, first)
                        self._count(stats, kind, first)
                        if first:
                            pending[development_id] = kind
                        yield dumps(record)
                        continue
                kind = kinds[bisect(kind_weights, rng.random() * kind_total)]
                earlier = told[kind]
                retell = bool(earlier) and rng.random() < RETELL_SHARE
                if retell:
                    back = min(len(earlier) - 1, int(rng.expovariate(1 / 400)))
                    development_id = earlier[len(earlier) - 1 - back]
                    retell = first_known[development_id] <= day_index
                if not retell:
                    counters[kind] += 1
                    development_id = f"{kind}-{DAYS[day_index]}-{counters[kind]:07d}"
                    pending[development_id] = kind
                record = {"type": kind, "id": development_id, "report": report_id}
                BUILDERS[kind](self, record, dates, day_index, not retell)
                self._account_extras(record, kind, sentences, not retell)
                by_type[kind] = by_type.get(kind, 0) + 1
                if retell:
                    stats.retold += 1
                else:
                    stats.developments += 1
                yield dumps(record)
        step = max(1, len(all_ids) // 200)
        stats.sample_ids = [all_ids[i] for i in range(0, len(all_ids), step)]
        stats.sample_ids += [development_id for _, development_id in plans_issues]

    def _count(self, stats: CorpusStats, kind: str, first: bool) -> None:
        stats.by_type[kind] = stats.by_type.get(kind, 0) + 1
        if first:
            stats.developments += 1
        else:
            stats.retold += 1

    def _account_extras(
        self, record: dict[str, Any], kind: str, sentences: list[list[str]], first: bool
    ) -> None:
        rng = self.rng
        share = (1.0 if first else 0.5) if kind == "statement" else OTHER_QUOTE_SHARE
        if rng.random() < share:
            record["quote"] = cut_quote(rng, sentences)
            self.quotes += 1
        if rng.random() < 0.25:
            record["attributed_to"] = rng.pick(self.attributions)
        if rng.random() < 0.05:
            record["note"] = "Figures not independently verified."

    def _retraction(
        self,
        all_ids: list[str],
        retracted: set[str],
        first_known: dict[str, int],
        day_index: int,
        report_id: str,
        sentences: list[list[str]],
    ) -> dict[str, Any] | None:
        rng = self.rng
        for _ in range(4):
            target = all_ids[rng.below(len(all_ids))]
            if target not in retracted and first_known[target] <= day_index:
                retracted.add(target)
                record: dict[str, Any] = {
                    "type": "retraction",
                    "target": target,
                    "report": report_id,
                    "reason": rng.pick(
                        ("officially denied", "report withdrawn", "misidentified", "fabricated")
                    ),
                }
                if rng.random() < 0.5:
                    record["quote"] = cut_quote(rng, sentences)
                    self.quotes += 1
                return record
        return None

    def _plan_issue_ids(self) -> list[tuple[str, str]]:
        half = self.plan_issue_total // 2
        ids = [("plan", f"plan-{i:03d}") for i in range(half)]
        ids += [("issue", f"issue-{i:03d}") for i in range(self.plan_issue_total - half)]
        return ids

    def _plan_issue(
        self, kind: str, development_id: str, report_id: str, first: bool
    ) -> dict[str, Any]:
        rng = self.rng
        record: dict[str, Any] = {"type": kind, "id": development_id, "report": report_id}
        number = int(development_id.rsplit("-", 1)[1])
        if kind == "plan":
            if first or rng.random() < 0.3:
                record["label"] = f"{PLAN_LABELS[number % len(PLAN_LABELS)]} {number}"
            record["points"] = rng.randint(5, 30)
            record["readiness_pct"] = rng.randint(0, 100)
            record["status"] = rng.pick(("draft", "proposed", "agreed", "rejected"))
            if rng.random() < 0.5:
                record["provisions"] = [
                    f"point {p}: {' '.join(rng.choices(WORDS, k=6))}"
                    for p in range(1, rng.randint(2, 6))
                ]
        else:
            if first:
                record["title"] = f"{' '.join(rng.choices(WORDS, k=3))} question {number}"
            record["status"] = "open" if rng.random() < 0.85 else rng.pick(("resolved", "dropped"))
            parties = self.leader_pair()
            record["positions"] = {
                self.ref(party): " ".join(rng.choices(WORDS, k=rng.randint(6, 14)))
                for party in parties
            }
        return record

    # -- the ordinary kinds ----------------------------------------------------------

    def _strike(self, record: dict[str, Any], dates: _Dates, day: int, first: bool) -> None:
        rng = self.rng
        choice = rng.pick
        if first:
            record["target"] = choice(self.strike_targets)
            record["by"] = self.ref(choice(self.forces))
        if first or rng.random() < 0.3:
            record["occurred"] = dates.around(day, back=2)
        if first or rng.random() < 0.5:
            record["weapons"] = choice(self.weapon_lists)
        if first or rng.random() < 0.6:
            record["effects"] = choice(self.effects)

    def _strike_pools(self) -> None:
        """Strike details drawn once: a line then costs one draw per field."""
        rng = self.rng
        self.strike_targets = [f"{thing} in {place}" for thing in OBJECTS for place in PLACES]
        self.weapon_lists: list[list[dict[str, Any]]] = []
        for _ in range(2048):
            first_weapon, step = rng.below(len(WEAPONS)), 1 + rng.below(4)
            self.weapon_lists.append(
                [
                    {
                        "name": WEAPONS[(first_weapon + step * n) % len(WEAPONS)],
                        "count": rng.randint(1, 60) if rng.random() < 0.8 else None,
                    }
                    for n in range(rng.randint(1, 3))
                ]
            )
        self.effects = [
            f"{rng.randint(0, 40)} killed, {rng.randint(0, 120)} wounded; {rng.pick(OBJECTS)}"
            " damaged"
            for _ in range(2048)
        ]

    def _statement(self, record: dict[str, Any], dates: _Dates, day: int, first: bool) -> None:
        rng = self.rng
        if first:
            record["speaker"] = self.ref(self._speaker())
        if first or rng.random() < 0.3:
            record["occurred"] = dates.around(day, back=2)

    def _speaker(self) -> Actor:
        return self.speakers[bisect(self.speaker_weights, self.rng.random() * self.speaker_total)]

    def _call(self, record: dict[str, Any], dates: _Dates, day: int, first: bool) -> None:
        rng = self.rng
        planned = rng.random() < 0.1
        if first:
            pair = self.leader_pair()
            record["participants"] = [self.ref(actor) for actor in pair]
            record["status"] = "planned" if planned else "held"
            if rng.random() < 0.5:
                record["initiator"] = self.ref(pair[0])
        if first or rng.random() < 0.4:
            record["occurred"] = dates.around(day, back=4, ahead=7 if planned else 0)
        if rng.random() < 0.6:
            record["duration_min"] = rng.randint(15, 150)
        if rng.random() < 0.3:
            record["duration_text"] = rng.pick(("about an hour", "over two hours", "brief"))
        if rng.random() < 0.4:
            record["tone"] = rng.pick(TONES)

    def _meeting(self, record: dict[str, Any], dates: _Dates, day: int, first: bool) -> None:
        rng = self.rng
        if first:
            pair = self.leader_pair()
            if rng.random() < 0.3:
                pair.append(rng.pick(self.speakers))
                if pair[2] in pair[:2]:
                    pair.pop()
            record["participants"] = [self.ref(actor) for actor in pair]
        status = rng.pick(("proposed", "scheduled", "held", "held", "postponed", "cancelled"))
        if first or rng.random() < 0.7:
            record["status"] = status
        if status in ("proposed", "scheduled") and rng.random() < 0.7:
            if rng.random() < 0.2:
                hour = rng.randint(8, 20)
                record["planned"] = f"{DAYS[day + rng.randint(1, 30)]}T{hour:02d}:00:00+03:00"
            else:
                record["planned"] = dates.around(day, back=0, ahead=30)
        if status == "held":
            record["occurred"] = dates.around(day, back=3)
        if rng.random() < 0.6:
            record["place"] = rng.pick(MEETING_PLACES)

    def _claim(self, record: dict[str, Any], dates: _Dates, day: int, first: bool) -> None:
        rng = self.rng
        call_count = rng.random() < 0.4
        if first:
            if call_count:
                pair = self.leader_pair()
                record["subject"] = "call-count"
                record["participants"] = [self.ref(actor) for actor in pair]
                record["claimant"] = self.ref(pair[rng.below(2)])
            else:
                record["subject"] = rng.pick(CLAIM_SUBJECTS)
                record["claimant"] = self.ref(self._speaker())
                if rng.random() < 0.3:
                    record["participants"] = [self.ref(actor) for actor in self.leader_pair()]
            record["stance"] = rng.pick(("asserts", "asserts", "asserts", "denies", "neither"))
        if first or rng.random() < 0.8:
            record["value"] = rng.randint(0, 40) if rng.random() < 0.8 else rng.random() < 0.5
        if first or rng.random() < 0.3:
            record["occurred"] = dates.around(day, back=2)


BUILDERS: dict[str, Callable[[Generator, dict[str, Any], _Dates, int, bool], None]] = {
    "strike": Generator._strike,
    "statement": Generator._statement,
    "call": Generator._call,
    "meeting": Generator._meeting,
    "claim": Generator._claim,
}


def write_corpus(path: Path, size: int = DEFAULT_SIZE, seed: int = DEFAULT_SEED) -> CorpusStats:
    """Write the corpus of ``size`` accounts to ``path``; its statistics."""
    started = time.perf_counter()
    stats = CorpusStats(path=str(path), size=size, seed=seed)
    digest = hashlib.sha256()
    generator = Generator(size, seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb", buffering=1 << 20) as stream:
        chunk: list[bytes] = []
        for line in generator.lines(stats):
            chunk.append(line)
            if len(chunk) >= 4096:
                data = b"\n".join(chunk) + b"\n"
                digest.update(data)
                stream.write(data)
                stats.lines += len(chunk)
                chunk = []
        if chunk:
            data = b"\n".join(chunk) + b"\n"
            digest.update(data)
            stream.write(data)
            stats.lines += len(chunk)
    stats.accounts = stats.retractions + sum(
        count for kind, count in stats.by_type.items() if kind != "aliases"
    )
    stats.by_type = {
        "actor": stats.actors,
        "report": stats.reports,
        **({"retraction": stats.retractions} if stats.retractions else {}),
        **stats.by_type,
    }
    stats.quotes = generator.quotes
    stats.seconds = time.perf_counter() - started
    stats.sha256 = digest.hexdigest()
    return stats


def main() -> None:  # pragma: no cover - a convenience: python -m bench.generate
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--size", type=int, default=DEFAULT_SIZE)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    options = parser.parse_args()
    stats = write_corpus(options.output, options.size, options.seed)
    rate = stats.lines / stats.seconds if stats.seconds else 0.0
    print(orjson.dumps({**stats.to_json(), "lines_per_s": round(rate)}).decode())


if __name__ == "__main__":  # pragma: no cover
    main()
