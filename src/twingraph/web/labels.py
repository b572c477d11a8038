"""What every page needs about the whole release, read once per app: labels and sources.

The store holds one read-only release, so these are built on first use and kept in the app's
state (:mod:`twingraph.web.state`, never at module level).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import TypeVar

from twingraph.web.i18n import Language, pick
from twingraph.web.release_facts import release_facts
from twingraph.web.state import current_state, get_settings, get_store
from twingraph.web.uris import UriScheme

T = TypeVar("T")


@dataclass(frozen=True)
class SourceInfo:
    """A source (and the named graph of its facts)."""

    iri: str
    url: str | None
    publisher: str | None
    confidence: str | None


@dataclass
class SiteData:
    """Labels of every IRI (preferred and alternative, with languages) and the sources, for one release."""

    version: str
    uris: UriScheme
    labels: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))
    alt_labels: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))
    sources: dict[str, SourceInfo] = field(default_factory=dict)

    def label(self, iri: str, lang: Language) -> str | None:
        """The label of ``iri`` in the reader's languages, or None when it has none."""
        return pick(self.labels.get(iri, ()), lang.data)

    def name(self, iri: str, lang: Language) -> str:
        """What to show for ``iri``: its label, a UI label, a short name (``schema:name``), or itself."""
        label = self.label(iri, lang)
        if label:
            return label
        short = self.uris.curie(iri)
        return lang.term(short) or short

    def entities(self) -> list[str]:
        """Every labelled resource under ``<base>id/``, sorted."""
        prefix = self.uris.base + "id/"
        return sorted(iri for iri in self.labels if iri.startswith(prefix) and self.uris.split(iri))


def _build() -> SiteData:
    # The rows of labels.rq and sources.rq, read once per release and saved (release_facts.py).
    facts = release_facts()
    data = SiteData(version=get_store().version, uris=UriScheme(get_settings().base_iri))
    for iri, text, language, alternative in facts.labels:
        target = data.alt_labels if alternative else data.labels
        target[iri].append((text, language))
    for iri, url, publisher, confidence in facts.sources:
        data.sources[iri] = SourceInfo(iri=iri, url=url, publisher=publisher, confidence=confidence)
    return data


def app_cached(name: str, key: Hashable, build: Callable[[], T], limit: int = 64) -> T:
    """A value computed once per app (the release never changes under it), at most ``limit`` per name."""
    return current_state().pages.get(name, key, build, limit)


def site_data() -> SiteData:
    """The labels and sources of the served release (built once per app)."""
    return current_state().site.get(_build)
