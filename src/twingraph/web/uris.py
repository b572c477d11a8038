"""The URI scheme: resource types, IRIs <-> local paths, and short names for foreign IRIs.

The server answers for the configured base IRI on whatever host it runs on: the request path
``/id/city/amiens`` stands for ``<base>id/city/amiens``, and links in pages point to local paths.
"""

from __future__ import annotations

from dataclasses import dataclass

from twingraph.namespaces import PREFIXES


@dataclass(frozen=True)
class ResourceType:
    """One type segment of ``/id/<type>/<slug>`` and the class it stands for (a ``tg:`` local name)."""

    segment: str
    class_name: str
    listed: bool = True


# The table of docs/modelling.md, in the order the home page and the lists show them.
RESOURCE_TYPES: tuple[ResourceType, ...] = (
    ResourceType("partnership", "Partnership"),
    ResourceType("city", "City"),
    ResourceType("event", "Event"),
    ResourceType("person", "Person"),
    ResourceType("school", "School"),
    ResourceType("school-partnership", "SchoolPartnership"),
    ResourceType("organisation", "Organisation"),
    ResourceType("body", "AdministrativeBody"),
    ResourceType("post", "Post"),
    ResourceType("term", "OfficeTerm"),
    ResourceType("place", "Place"),
    ResourceType("charter", "CharterDocument"),
    ResourceType("status", "StatusPeriod"),
    ResourceType("source", "Source"),
    ResourceType("conflict", "Conflict"),
    ResourceType("concept", "Concept", listed=False),
)
TYPES_BY_SEGMENT = {t.segment: t for t in RESOURCE_TYPES}
SLUG_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")


def is_slug(text: str) -> bool:
    """True for a well-formed slug: lowercase ASCII letters, digits and ``-``.

    >>> is_slug("dortmund-amiens"), is_slug("Amiens"), is_slug("a/b"), is_slug("")
    (True, False, False, False)
    """
    return bool(text) and set(text) <= SLUG_CHARS


@dataclass(frozen=True)
class UriScheme:
    """Maps between published IRIs (under ``base``) and the paths of this server."""

    base: str

    def resource_iri(self, segment: str, slug: str) -> str:
        """IRI of the resource ``/id/<segment>/<slug>``."""
        return f"{self.base}id/{segment}/{slug}"

    def class_iri(self, rtype: ResourceType) -> str:
        """IRI of the class a type segment stands for."""
        if rtype.class_name == "Concept":
            return PREFIXES["skos"] + "Concept"
        return f"{self.base}ontology#{rtype.class_name}"

    def local_path(self, iri: str) -> str | None:
        """Local path that describes ``iri`` (``/doc/...`` for resources), or None for a foreign IRI.

        >>> s = UriScheme("https://w3id.org/twingraph/")
        >>> s.local_path("https://w3id.org/twingraph/id/city/amiens")
        '/doc/city/amiens'
        >>> s.local_path("https://w3id.org/twingraph/ontology#City")
        '/ontology#City'
        >>> s.local_path("https://example.org/x") is None
        True
        """
        if not iri.startswith(self.base):
            return None
        rest = iri[len(self.base) :]
        if rest.startswith("id/"):
            return "/doc/" + rest[3:]
        return "/" + rest

    def split(self, iri: str) -> tuple[str, str] | None:
        """(segment, slug) of a resource IRI, or None when ``iri`` is not one."""
        if not iri.startswith(self.base + "id/"):
            return None
        segment, _, slug = iri[len(self.base) + 3 :].partition("/")
        return (segment, slug) if segment in TYPES_BY_SEGMENT and slug else None

    def prefixes(self) -> dict[str, str]:
        """Prefixes for serializing and for short names (``tg:``, ``schema:``, ...)."""
        return {"tg": self.base + "ontology#", "tgsh": self.base + "shapes#", **PREFIXES}

    def curie(self, iri: str) -> str:
        """A short name such as ``schema:name`` for a foreign IRI, else the IRI itself.

        >>> UriScheme("https://w3id.org/twingraph/").curie("https://schema.org/name")
        'schema:name'
        """
        best = ""
        name = ""
        for prefix, ns in self.prefixes().items():
            if iri.startswith(ns) and len(ns) > len(best):
                local = iri[len(ns) :]
                if local and all(c.isalnum() or c in "_-." for c in local):
                    best, name = ns, f"{prefix}:{local}"
        return name or iri
