"""The diff report as text for people and as JSON for programs."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

from twingraph.wikidata.diff import DiffReport, PairReport, Statement
from twingraph.wikidata.quickstatements import lines_for_pair

TITLES = {
    "in-both": "In both (Wikidata has P190 in both directions)",
    "one-direction": "One direction only (Wikidata has P190 in one direction)",
    "missing-in-wikidata": "Missing in Wikidata",
    "missing-here": "Missing here (Wikidata has it, we do not)",
    "no-qid": "Not comparable (a partner city has no QID here)",
}


def _pair_line(pair: PairReport) -> str:
    a, b = pair.qids
    name = pair.twinning.label if pair.twinning else f"{pair.labels[0]} – {pair.labels[1]}"
    line = f"  {name}: {pair.labels[0]} ({a or 'no QID'}) – {pair.labels[1]} ({b or 'no QID'})"
    if pair.status == "one-direction":
        have = pair.forward or pair.backward
        assert have is not None
        line += f"; Wikidata has only {have.subject} P190 {have.object}"
    return line


def _dates_line(pair: PairReport) -> str:
    ours = " / ".join(pair.our_starts) or "none"
    theirs = " / ".join(pair.wikidata_starts) or "none"
    conflict = " (our sources disagree)" if len(pair.our_starts) > 1 else ""
    return f"    start: ours {ours}{conflict}; Wikidata {theirs}"


def format_text(report: DiffReport) -> str:
    """A report grouped by status, with the dates that disagree listed on their own as well."""
    lines = [
        f"Wikidata P190 diff against {report.endpoint}",
        f"Focus cities: {', '.join(report.focus) or 'none'}",
    ]
    counts = report.counts()
    lines.append("Summary: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    for status, title in TITLES.items():
        group = report.group(status)  # type: ignore[arg-type]
        lines += ["", f"{title}: {len(group)}"]
        for pair in group:
            lines.append(_pair_line(pair))
            if pair.our_starts or pair.wikidata_starts:
                lines.append(_dates_line(pair))
    disagree = [p for p in report.pairs if p.dates == "disagree"]
    lines += ["", f"Dates that disagree: {len(disagree)}"]
    for pair in disagree:
        lines += [_pair_line(pair), _dates_line(pair)]
    return "\n".join(lines) + "\n"


def _statement(statement: Statement | None) -> dict[str, object] | None:
    if statement is None:
        return None
    return {
        "statement": statement.iri,
        "subject": statement.subject,
        "object": statement.object,
        "start": [{"value": t.value, "precision": t.precision} for t in statement.starts],
        "references": list(statement.references),
    }


def to_json(report: DiffReport) -> str:
    """The whole report as JSON (one object per pair)."""
    pairs = []
    for pair in report.pairs:
        pairs.append(
            {
                "status": pair.status,
                "partnership": pair.twinning.partnership if pair.twinning else None,
                "label": pair.twinning.label if pair.twinning else None,
                "cities": list(pair.twinning.cities) if pair.twinning else None,
                "qids": list(pair.qids),
                "names": list(pair.labels),
                "forward": _statement(pair.forward),
                "backward": _statement(pair.backward),
                "missing": [f"{s} P190 {o}" for s, o in pair.missing_directions],
                "dates": pair.dates,
                "ourStarts": pair.our_starts,
                "wikidataStarts": pair.wikidata_starts,
            }
        )
    document = {"endpoint": report.endpoint, "focus": report.focus, "counts": report.counts(), "pairs": pairs}
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


SYMMETRY_COLUMNS = (
    "item",
    "item_label",
    "lacks_p190_to",
    "twin_label",
    "existing_statement",
    "existing_references",
    "our_partnership",
    "our_start",
    "quickstatements",
    "item_page",
)


def symmetry_gaps_csv(report: DiffReport, retrieved: date) -> tuple[str, int]:
    """The one-directional P190 pairs as CSV, one row per missing statement, for a Wikidata editor.

    P190 is symmetric: where Wikidata has ``A P190 B`` but not ``B P190 A``, the row names B (the
    item to edit, with its page), A, the statement that exists (its IRI and reference URLs), our
    partnership and start date, and the QuickStatements line that adds the missing statement with
    its reference. Returns the text and the number of rows.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(SYMMETRY_COLUMNS)
    rows = 0
    for pair in report.group("one-direction"):
        have = pair.forward or pair.backward
        assert have is not None
        labels = dict(zip(pair.qids, pair.labels, strict=True))
        lines = {line.text.split("\t")[0]: line.text for line in lines_for_pair(pair, retrieved)}
        for item, twin in pair.missing_directions:
            twinning = pair.twinning
            writer.writerow(
                [
                    item,
                    labels.get(item, ""),
                    twin,
                    labels.get(twin, ""),
                    have.iri,
                    " ".join(have.references),
                    twinning.partnership if twinning else "",
                    " / ".join(pair.our_starts),
                    lines.get(item, ""),
                    f"https://www.wikidata.org/wiki/{item}#P190",
                ]
            )
            rows += 1
    return buffer.getvalue(), rows
