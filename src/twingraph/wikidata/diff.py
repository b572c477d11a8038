"""Compare our twinnings with Wikidata's P190 statements, partnership by partnership.

P190 ("twinned administrative body") is symmetric, so Wikidata should hold it in both
directions: A P190 B and B P190 A. Each pair of cities ends up in one of these groups:

* ``in-both`` - we have the twinning and Wikidata has it in both directions;
* ``one-direction`` - we have it and Wikidata has only one of the two statements;
* ``missing-in-wikidata`` - we have it and Wikidata has neither statement;
* ``missing-here`` - Wikidata has it for one of our focus cities and we do not;
* ``no-qid`` - we have it but a partner city has no QID, so it cannot be compared.

Independently, ``dates`` says whether Wikidata's start times (P580) agree with ours at the
coarser of the two precisions: ``agree``, ``disagree``, ``only-ours``, ``only-wikidata`` or ``none``.
The focus cities (whose Wikidata-only twinnings count as missing here) are by default those
that take part in at least two of our twinnings, i.e. the city the graph is about.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

from twingraph.reconcile.compare import date_parts
from twingraph.store import Store
from twingraph.wikidata.client import WikidataClient
from twingraph.wikidata.ours import WD, Twinning, our_twinnings

Status = Literal["in-both", "one-direction", "missing-in-wikidata", "missing-here", "no-qid"]
Dates = Literal["agree", "disagree", "only-ours", "only-wikidata", "none"]
STATUSES: tuple[Status, ...] = ("in-both", "one-direction", "missing-in-wikidata", "missing-here", "no-qid")
_QID = re.compile(r"^Q[1-9][0-9]*$")
QIDS_PER_QUERY = 200


@dataclass(frozen=True)
class WikidataTime:
    """A time qualifier as Wikidata stores it: ``+1960-01-01T00:00:00Z``-like value and precision."""

    value: str
    precision: int

    def parts(self) -> tuple[str, ...]:
        """Year, month, day down to the precision (9 year, 10 month, 11 day)."""
        parts = date_parts(self.value.lstrip("+")) or ()
        return parts[: {9: 1, 10: 2}.get(self.precision, 3)]

    def text(self) -> str:
        """The time at its precision, e.g. ``1973`` or ``1960-04-02``."""
        return "-".join(self.parts())


@dataclass(frozen=True)
class Statement:
    """One P190 statement: subject QID, object QID, its IRI, start/end times and reference URLs."""

    subject: str
    object: str
    iri: str
    starts: tuple[WikidataTime, ...] = ()
    references: tuple[str, ...] = ()


@dataclass
class PairReport:
    """The comparison for one pair of cities."""

    status: Status
    qids: tuple[str | None, str | None]
    labels: tuple[str, str]
    twinning: Twinning | None = None
    forward: Statement | None = None
    backward: Statement | None = None
    dates: Dates = "none"
    our_starts: list[str] = field(default_factory=list)
    wikidata_starts: list[str] = field(default_factory=list)

    @property
    def missing_directions(self) -> list[tuple[str, str]]:
        """The (subject, object) QID pairs Wikidata lacks, for a pair we have."""
        a, b = self.qids
        if a is None or b is None or self.status == "missing-here":
            return []
        return [(s, o) for s, o, have in ((a, b, self.forward), (b, a, self.backward)) if have is None]


@dataclass
class DiffReport:
    """All pairs, and the focus cities used for 'missing here'."""

    endpoint: str
    focus: list[str]
    pairs: list[PairReport]

    def group(self, status: Status) -> list[PairReport]:
        """Pairs with this status."""
        return [p for p in self.pairs if p.status == status]

    def counts(self) -> dict[str, int]:
        """How many pairs per status, and how many with disagreeing dates."""
        counts = Counter(p.status for p in self.pairs)
        result: dict[str, int] = {s: counts.get(s, 0) for s in STATUSES}
        result["dates-disagree"] = sum(1 for p in self.pairs if p.dates == "disagree")
        return result


def _qid(iri: str) -> str:
    return iri.removeprefix(WD)


def fetch_statements(client: WikidataClient, qids: list[str]) -> tuple[list[Statement], dict[str, str]]:
    """Wikidata's P190 statements touching any of ``qids``, and the English labels it gives.

    The QIDs go in batches of :data:`QIDS_PER_QUERY` (the world graph has 5,470 cities: one query
    with all of them would exceed what the Wikidata Query Service accepts in time and size).
    """
    checked = sorted({q for q in qids if _QID.match(q)})
    rows: list[dict[str, str]] = []
    for start in range(0, len(checked), QIDS_PER_QUERY):
        batch = checked[start : start + QIDS_PER_QUERY]
        rows += client.select_template("p190-statements", cities=" ".join(f"wd:{q}" for q in batch))
    starts: dict[str, set[WikidataTime]] = {}
    refs: dict[str, set[str]] = {}
    ends_of: dict[str, tuple[str, str]] = {}
    labels: dict[str, str] = {}
    for row in rows:
        iri = row["statement"]
        ends_of[iri] = (_qid(row["subject"]), _qid(row["object"]))
        if "start" in row:
            starts.setdefault(iri, set()).add(
                WikidataTime(row["start"], int(row.get("startPrecision", "11")))
            )
        if "reference" in row:
            refs.setdefault(iri, set()).add(row["reference"])
        for end in ("subject", "object"):
            if f"{end}Label" in row:
                labels[_qid(row[end])] = row[f"{end}Label"]
    statements = [
        Statement(
            s,
            o,
            iri,
            tuple(sorted(starts.get(iri, set()), key=lambda t: t.value)),
            tuple(sorted(refs.get(iri, set()))),
        )
        for iri, (s, o) in sorted(ends_of.items())
    ]
    return statements, labels


def _compare_dates(ours: list[str], theirs: list[WikidataTime]) -> Dates:
    if not ours and not theirs:
        return "none"
    if not theirs:
        return "only-ours"
    if not ours:
        return "only-wikidata"
    our_parts = [date_parts(o) or () for o in ours]
    for time in theirs:
        theirs_parts = time.parts()
        if not any(
            p[: min(len(p), len(theirs_parts))] == theirs_parts[: min(len(p), len(theirs_parts))]
            for p in our_parts
        ):
            return "disagree"
    return "agree"


def default_focus(twinnings: list[Twinning]) -> list[str]:
    """QIDs of the cities in at least two of our twinnings (the city the graph is about)."""
    counts = Counter(q for t in twinnings for q in t.qids if q)
    return sorted(q for q, n in counts.items() if n >= 2)


def diff(store: Store, client: WikidataClient, focus: list[str] | None = None) -> DiffReport:
    """Compare our twinnings with Wikidata's P190 statements and report per pair of cities."""
    twinnings = our_twinnings(store)
    focus = sorted(focus) if focus else default_focus(twinnings)
    ours_qids = [q for t in twinnings for q in t.qids if q]
    statements, wd_labels = fetch_statements(client, [*ours_qids, *focus])
    by_direction = {(s.subject, s.object): s for s in statements}
    pairs: list[PairReport] = []
    known: set[frozenset[str]] = set()
    for twinning in twinnings:
        a, b = twinning.qids
        report = PairReport("no-qid", twinning.qids, twinning.city_labels, twinning)
        report.our_starts = sorted(d.lexical for d in twinning.distinct(twinning.starts))
        if a and b:
            known.add(frozenset((a, b)))
            report.forward, report.backward = by_direction.get((a, b)), by_direction.get((b, a))
            present = [s for s in (report.forward, report.backward) if s]
            report.status = ("in-both", "one-direction", "missing-in-wikidata")[2 - len(present)]
            theirs = [t for s in present for t in s.starts]
            report.wikidata_starts = sorted({t.text() for t in theirs})
            report.dates = _compare_dates(report.our_starts, theirs) if present else "none"
        pairs.append(report)
    for statement in statements:
        pair = frozenset((statement.subject, statement.object))
        if pair in known or not pair & set(focus):
            continue
        known.add(pair)
        a, b = sorted(pair, key=lambda q: (q not in focus, q))
        report = PairReport("missing-here", (a, b), (wd_labels.get(a, a), wd_labels.get(b, b)))
        report.forward, report.backward = by_direction.get((a, b)), by_direction.get((b, a))
        theirs = [t for s in (report.forward, report.backward) if s for t in s.starts]
        report.wikidata_starts = sorted({t.text() for t in theirs})
        report.dates = "only-wikidata" if theirs else "none"
        pairs.append(report)
    return DiffReport(client.endpoint, focus, pairs)
