"""QuickStatements (v1) lines for the P190 statements Wikidata lacks, in both directions.

One line per missing direction, tab-separated as QuickStatements v1 wants it::

    Q1295  P190  Q182059  P580  +2024-00-00T00:00:00Z/9  S854  "https://…"  S813  +2026-05-01T00:00:00Z/11

The start time (P580) keeps the precision our source gives (/9 year, /10 month, /11 day) and is
left out when our sources disagree on it. Every line carries a reference: the reference URL (S854)
of the most trusted source with a URL that states the date, and the day the source was consulted
(S813). A source on wikidata.org (the world snapshot is a copy of Wikidata's P190) would cite
Wikidata to itself, so when no other source has a URL the reference is the partnership's page in
this dataset, which lists its sources. Nothing is sent anywhere: the lines are for a person to
review and paste into QuickStatements.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from urllib.parse import urlsplit

from twingraph.reconcile.compare import date_parts
from twingraph.wikidata.diff import DiffReport, PairReport
from twingraph.wikidata.ours import OurDate, Source, Twinning

WIKIDATA_HOSTS = frozenset({"www.wikidata.org", "wikidata.org", "m.wikidata.org"})


def qs_time(lexical: str, precision: int) -> str:
    """A date in QuickStatements' time syntax at the given precision.

    >>> qs_time("1969", 9), qs_time("1970-04", 10), qs_time("1960-04-02", 11)
    ('+1969-00-00T00:00:00Z/9', '+1970-04-00T00:00:00Z/10', '+1960-04-02T00:00:00Z/11')
    """
    parts = list(date_parts(lexical) or ())
    if not parts:
        raise ValueError(f"not a date: {lexical!r}")
    year, month, day = [*parts, "00", "00"][:3]
    return f"+{year}-{month}-{day}T00:00:00Z/{precision}"


def qs_string(text: str) -> str:
    """A string value for QuickStatements (double quotes; inner quotes are not allowed there)."""
    if '"' in text or "\t" in text or "\n" in text:
        raise ValueError(f"cannot write {text!r} as a QuickStatements string")
    return f'"{text}"'


@dataclass(frozen=True)
class Line:
    """One QuickStatements line and what it is for (shown to the reviewer beside the file)."""

    text: str
    pair: PairReport
    note: str


def reference_url(twinning: Twinning, source: Source | None) -> tuple[str, str]:
    """The S854 URL for a twinning's statements, and a note when it is our own page.

    >>> page = "https://w3id.org/twingraph/id/partnership/a--b"
    >>> t = Twinning(page, "A – B", ("a", "b"), ("A", "B"), ("Q1", "Q2"))
    >>> reference_url(t, Source("s", "https://www.wikidata.org/wiki/Property:P190", "high"))[0]
    'https://w3id.org/twingraph/id/partnership/a--b'
    >>> reference_url(t, Source("s", "https://example.org/page", "high"))
    ('https://example.org/page', '')
    """
    if source and source.url and urlsplit(source.url).hostname not in WIKIDATA_HOSTS:
        return source.url, ""
    return twinning.partnership, "reference: this dataset's page of the partnership (no other source URL)"


def _single(dates: list[OurDate]) -> OurDate | None:
    distinct = {d.lexical: d for d in dates}
    return next(iter(distinct.values())) if len(distinct) == 1 else None


def _best_non_wikidata(twinning: Twinning) -> Source | None:
    """The most trusted source with a URL that is not on wikidata.org."""
    others = [s for s in twinning.sources if s.url and urlsplit(s.url).hostname not in WIKIDATA_HOSTS]
    return replace(twinning, sources=others).best_source() if others else None


def lines_for_pair(pair: PairReport, retrieved: date) -> list[Line]:
    """The lines that add the missing direction(s) of one pair we have."""
    twinning = pair.twinning
    if twinning is None:
        return []
    start, end = _single(twinning.starts), _single(twinning.ends)
    stating = [d for d in twinning.starts if start and d.lexical == start.lexical]
    stating += [d for d in twinning.ends if end and d.lexical == end.lexical]
    source = twinning.best_source(stating or None)
    if source and source.url and urlsplit(source.url).hostname in WIKIDATA_HOSTS:
        source = _best_non_wikidata(twinning) or source
    reference, reference_note = reference_url(twinning, source)
    notes = []
    if start is None and twinning.starts:
        notes.append(
            "start left out: our sources disagree ("
            + " / ".join(sorted({d.lexical for d in twinning.starts}))
            + ")"
        )
    if reference_note:
        notes.append(reference_note)
    found = []
    for subject, obj in pair.missing_directions:
        cells = [subject, "P190", obj]
        if start:
            cells += ["P580", qs_time(start.lexical, start.precision)]
        if end:
            cells += ["P582", qs_time(end.lexical, end.precision)]
        cells += ["S854", qs_string(reference), "S813", qs_time(retrieved.isoformat(), 11)]
        found.append(Line("\t".join(cells), pair, "; ".join(notes)))
    return found


def quickstatements(report: DiffReport, retrieved: date) -> list[Line]:
    """Lines for every P190 statement Wikidata lacks: both directions of missing pairs, the other one of
    one-direction pairs."""
    lines: list[Line] = []
    for pair in report.pairs:
        if pair.status in ("missing-in-wikidata", "one-direction"):
            lines += lines_for_pair(pair, retrieved)
    return lines
