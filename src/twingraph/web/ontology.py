"""The ontology (``/ontology``, terms at ``/ontology#Term``) and the SHACL shapes (``/shapes``).

Both dereference like resources: an HTML documentation page, or the RDF by content negotiation or
suffix (``/ontology.ttl``). The documentation is written from the ontology graph of the store
(pyLODE 3.4 could not be used: it fails at import time without its source tree), in the reader's
language, with an anchor per term so that ``<base>ontology#Partnership`` lands on its entry.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox
from flask import Blueprint, Response, abort
from werkzeug.exceptions import NotFound

from twingraph.formats import BY_SUFFIX, Format
from twingraph.namespaces import PREFIXES, BaseNamespaces
from twingraph.release import SHAPES_FILE, ReleaseError, read_graph_file
from twingraph.store.base import term_text
from twingraph.web.i18n import Language, pick
from twingraph.web.labels import SiteData, site_data
from twingraph.web.render import current_language, render_page
from twingraph.web.resources import negotiated_response, page_variant
from twingraph.web.state import current_state, get_settings, get_store

bp = Blueprint("ontology", __name__)

RDF, RDFS, OWL, SKOS, SH = (PREFIXES[p] for p in ("rdf", "rdfs", "owl", "skos", "sh"))
SECTIONS = (
    ("classes", OWL + "Class"),
    ("object_properties", OWL + "ObjectProperty"),
    ("datatype_properties", OWL + "DatatypeProperty"),
    ("concepts", SKOS + "Concept"),
)
LINKS = (
    ("superclass", RDFS + "subClassOf"),
    ("subproperty", RDFS + "subPropertyOf"),
    ("domain", RDFS + "domain"),
    ("range", RDFS + "range"),
    ("inverse", OWL + "inverseOf"),
    ("matches", SKOS + "exactMatch"),
    ("matches", SKOS + "closeMatch"),
)


@dataclass
class Graph:
    """Triples indexed by subject and predicate."""

    quads: list[ox.Quad]
    index: dict[str, dict[str, list[ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )

    def __post_init__(self) -> None:
        for q in self.quads:
            self.index[term_text(q.subject)][q.predicate.value].append(q.object)

    def objects(
        self, subject: str, predicate: str
    ) -> list[ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple]:
        """Objects of (subject, predicate)."""
        return self.index.get(subject, {}).get(predicate, [])

    def texts(self, subject: str, predicate: str, lang: Language) -> str | None:
        """The literal of (subject, predicate) in the reader's language."""
        return pick(
            (
                (o.value, getattr(o, "language", None) or "")
                for o in self.objects(subject, predicate)
                if isinstance(o, ox.Literal)
            ),
            lang.data,
        )


def ontology_graph() -> Graph:
    """The ontology's named graph (built once per app)."""

    def build() -> Graph:
        ns = BaseNamespaces(get_settings().base_iri)
        rows = get_store().select(
            "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }", {"g": ox.NamedNode(ns.ontology)}
        )
        return Graph([ox.Quad(r["s"], r["p"], r["o"], ox.NamedNode(ns.ontology)) for r in rows])  # type: ignore[arg-type]

    return current_state().ontology.get(build)


def shapes_graph() -> Graph:
    """The SHACL shapes of the served release (its ``shapes.ttl``, once per app), in ``<base>shapes``.

    Read from the release, never from the project's ``shapes/`` folder: the server may run where
    there is no project folder, and the release holds the shapes it was validated with.
    """
    state = current_state()

    def build() -> Graph:
        try:
            folder = state.release_folder()
            return Graph(read_graph_file(folder, SHAPES_FILE, state.settings.base_iri + "shapes"))
        except ReleaseError as exc:
            raise NotFound(f"The shapes are not available: {exc}.") from exc

    return state.shapes.get(build)


def _anchor(iri: str, base: str) -> str:
    for prefix in (base + "ontology#", base + "shapes#"):
        if iri.startswith(prefix):
            return iri[len(prefix) :]
    return iri.rstrip("/").rsplit("/", 1)[-1]


def _link(term: object, site: SiteData, lang: Language) -> tuple[str, str | None]:
    if isinstance(term, ox.NamedNode):
        local = site.uris.local_path(term.value)
        return site.name(term.value, lang), local or term.value
    return (term.value if isinstance(term, ox.Literal) else str(term)), None


def ontology_page() -> Response:
    """The documentation page: the ontology's metadata, then classes, properties and concepts."""
    graph, site, lang = ontology_graph(), site_data(), current_language()
    base = site.uris.base
    onto = base + "ontology"
    sections = []
    for key, rdf_type in SECTIONS:
        terms = []
        for subject, preds in graph.index.items():
            if any(isinstance(o, ox.NamedNode) and o.value == rdf_type for o in preds.get(RDF + "type", [])):
                links = [(k, [_link(o, site, lang) for o in graph.objects(subject, p)]) for k, p in LINKS]
                terms.append(
                    {
                        "iri": subject,
                        "anchor": _anchor(subject, base),
                        "label": site.name(subject, lang),
                        "definition": graph.texts(subject, SKOS + "definition", lang),
                        "links": [(k, v) for k, v in links if v],
                    }
                )
        sections.append((key, sorted(terms, key=lambda t: str(t["label"]).casefold())))
    meta = {
        "title": graph.texts(onto, PREFIXES["dct"] + "title", lang) or "twingraph ontology",
        "description": graph.texts(onto, PREFIXES["dct"] + "description", lang),
        "version": graph.texts(onto, OWL + "versionInfo", lang),
        "iri": onto,
    }
    return render_page("ontology.html", page_variant(), meta=meta, sections=sections)


def shapes_page() -> Response:
    """The shapes page: each node shape, what it targets, and its property constraints with messages."""
    graph, site, lang = shapes_graph(), site_data(), current_language()
    shapes = []
    for subject, preds in graph.index.items():
        if not any(
            isinstance(o, ox.NamedNode) and o.value == SH + "NodeShape" for o in preds.get(RDF + "type", [])
        ):
            continue
        constraints = []
        for prop in graph.objects(subject, SH + "property"):
            node = term_text(prop)
            rules = [
                (site.uris.curie(p), [_link(o, site, lang) for o in objs])
                for p, objs in sorted(graph.index.get(node, {}).items())
                if p not in (SH + "path", SH + "message", SH + "name", RDF + "type")
            ]
            paths = [_link(o, site, lang) for o in graph.objects(node, SH + "path")]
            constraints.append(
                {"path": paths, "message": graph.texts(node, SH + "message", lang), "rules": rules}
            )
        shapes.append(
            {
                "iri": subject,
                "anchor": _anchor(subject, site.uris.base),
                "label": site.name(subject, lang)
                if subject in site.labels
                else _anchor(subject, site.uris.base),
                "targets": [_link(o, site, lang) for o in graph.objects(subject, SH + "targetClass")],
                "message": graph.texts(subject, SH + "message", lang),
                "constraints": sorted(constraints, key=lambda c: str(c["path"])),
            }
        )
    return render_page("shapes.html", page_variant(), shapes=sorted(shapes, key=lambda s: str(s["anchor"])))


def _suffix(suffix: str | None) -> Format | None:
    if suffix is None:
        return None
    fmt = BY_SUFFIX.get(suffix)
    if fmt is None:
        abort(404, f"No format '.{suffix}'; try one of: " + ", ".join("." + s for s in BY_SUFFIX) + ".")
    return fmt


@bp.get("/ontology")
@bp.get("/ontology.<suffix>")
def ontology(suffix: str | None = None) -> Response:
    """The ontology: documentation page or RDF."""
    return negotiated_response("/ontology", _suffix(suffix), ontology_page, lambda: ontology_graph().quads)


@bp.get("/shapes")
@bp.get("/shapes.<suffix>")
def shapes(suffix: str | None = None) -> Response:
    """The SHACL shapes: documentation page or RDF."""
    return negotiated_response("/shapes", _suffix(suffix), shapes_page, lambda: shapes_graph().quads)
