"""What every worker needs first about the release (labels, sources, the home page's values), saved once.

Every page names resources by the site's labels and sources (labels.py); the landing page shows the
number of instances per class and the world map of every partnership. All come from whole-release
queries (tens of thousands of label rows, 16,000 map rows and 11,000 pairs on the world graph)
that a fresh server worker used to run, and turn into Python values, before or on its first ``/``:
most of the processor time `make serve` took to its first answer. The release never changes under a server, so
``twingraph serve`` computes them once per release, in the same fresh interpreter that saves the
reconciliation index (serve.py), and every worker reads them back (JSON, a few milliseconds).

The file sits in the embedded store's cache folder beside the release's database, written atomically
by this program only. Its name holds the release's fingerprint and a digest of the base IRI, this
module and its queries, so a new release, base or query never reads old values; a missing or
unreadable file means computing them from the store, as before.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from twingraph.atomic_file import read_or_make, write_atomically
from twingraph.queries import load_query
from twingraph.store import Store
from twingraph.store.base import Row, term_text
from twingraph.store.database import cache_root
from twingraph.web.state import current_state, get_settings, get_store

SUFFIX = ".home-facts.json"
_QUERIES = ("pages/home-counts", "pages/map-cities", "pages/map-pairs", "pages/labels", "pages/sources")


@dataclass(frozen=True)
class ReleaseFacts:
    """What the landing page needs about the whole release."""

    counts: dict[str, int]  # instances per class IRI, in the query's order
    cities: list[tuple[str, float, float, str]]  # (city IRI, lat, long, country code or "")
    pairs: list[tuple[str, str]]  # partnered cities (IRIs), as the query gives them
    labels: list[tuple[str, str, str, bool]]  # (IRI, label, language or "", alternative?): labels.rq
    sources: list[tuple[str, str | None, str | None, str | None]]  # (source, url, publisher, confidence)


def compute_facts(store: Store) -> ReleaseFacts:
    """The facts, from the store's queries (what a server did on its first ``/`` before)."""
    counts = {
        term_text(row["class"]): int(term_text(row["count"])) for row in store.select(load_query(_QUERIES[0]))
    }
    cities: dict[str, tuple[str, float, float, str]] = {}
    for row in store.select(load_query(_QUERIES[1])):
        city = term_text(row["city"])
        if city not in cities:  # a city with two coordinates or countries: its first row, as before
            country = term_text(row["country"]) if row.get("country") is not None else ""
            cities[city] = (city, float(term_text(row["lat"])), float(term_text(row["long"])), country)
    pairs = [(term_text(row["a"]), term_text(row["b"])) for row in store.select(load_query(_QUERIES[2]))]
    labels = []
    for row in store.select(load_query(_QUERIES[3])):
        label = row["label"]
        assert isinstance(label, ox.Literal)
        labels.append((term_text(row["x"]), label.value, label.language or "", "alt" in row))

    def optional(row: Row, name: str) -> str | None:
        return term_text(row[name]) if name in row else None

    sources = [
        (
            term_text(row["source"]),
            optional(row, "url"),
            optional(row, "publisher"),
            optional(row, "confidence"),
        )
        for row in store.select(load_query(_QUERIES[4]))
    ]
    return ReleaseFacts(counts, list(cities.values()), pairs, labels, sources)


def facts_path(store: Store, base_iri: str, cache_dir: str | Path | None) -> Path:
    """Where the facts of ``store``'s release, served under ``base_iri``, are saved."""
    digest = hashlib.sha256(base_iri.encode())
    digest.update(Path(__file__).read_bytes())
    for name in _QUERIES:
        digest.update(load_query(name).encode())
    return cache_root(cache_dir) / f"{store.fingerprint}.{digest.hexdigest()[:12]}{SUFFIX}"


def read_facts(path: Path) -> ReleaseFacts | None:
    """The facts saved at ``path``, or None when there are none (or they cannot be read)."""
    try:
        saved = json.loads(path.read_bytes())
        return ReleaseFacts(
            {str(k): int(v) for k, v in saved["counts"].items()},
            [(str(c), float(lat), float(long), str(cc)) for c, lat, long, cc in saved["cities"]],
            [(str(a), str(b)) for a, b in saved["pairs"]],
            [(str(x), str(label), str(lang), bool(alt)) for x, label, lang, alt in saved["labels"]],
            [(str(iri), url, publisher, confidence) for iri, url, publisher, confidence in saved["sources"]],
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def write_facts(facts: ReleaseFacts, path: Path) -> None:
    """Save ``facts`` at ``path`` atomically (another process may be reading or writing it too).
    JSON keeps floats exact (shortest repr round-trips) and the order of the counts."""
    write_atomically(path, lambda out: json.dump(dataclasses.asdict(facts), out))


def saved_facts(store: Store, base_iri: str, cache_dir: str | Path | None) -> ReleaseFacts:
    """The release's facts: read from the cache folder when saved there, else computed and saved."""
    path = facts_path(store, base_iri, cache_dir)
    return read_or_make(path, read_facts, lambda: compute_facts(store), write_facts)


def release_facts() -> ReleaseFacts:
    """The served release's facts, read or computed once per app."""

    def load() -> ReleaseFacts:
        settings = get_settings()
        return saved_facts(get_store(), settings.base_iri, settings.store_cache_dir or None)

    return current_state().pages.get("release-facts", "", load)


def save_configured() -> None:
    """Compute and save the facts of the release the environment's settings name (``twingraph serve``
    runs this in a fresh interpreter before its workers start, see serve.py)."""
    from twingraph.config import load_settings
    from twingraph.store import open_store

    settings = load_settings()
    store = open_store(settings)
    try:
        saved_facts(store, settings.base_iri, settings.store_cache_dir or None)
    finally:
        store.close()
