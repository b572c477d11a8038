"""IRIs of the vocabularies twingraph uses, and the ones it derives from the base IRI."""

from __future__ import annotations

from dataclasses import dataclass

PREFIXES: dict[str, str] = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dct": "http://purl.org/dc/terms/",
    "schema": "https://schema.org/",
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
    "time": "http://www.w3.org/2006/time#",
    "geo": "http://www.w3.org/2003/01/geo/wgs84_pos#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "sh": "http://www.w3.org/ns/shacl#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "void": "http://rdfs.org/ns/void#",
    "wd": "http://www.wikidata.org/entity/",
    "wdt": "http://www.wikidata.org/prop/direct/",
}


@dataclass(frozen=True)
class BaseNamespaces:
    """The IRIs that depend on the configured base IRI."""

    base: str

    @property
    def tg(self) -> str:
        """Ontology namespace (``tg:``)."""
        return self.base + "ontology#"

    @property
    def tgsh(self) -> str:
        """Shapes namespace (``tgsh:``)."""
        return self.base + "shapes#"

    @property
    def ontology(self) -> str:
        """IRI of the ontology and of the named graph that holds it."""
        return self.base + "ontology"

    @property
    def inferred_graph(self) -> str:
        """Named graph of everything the rules derive."""
        return self.base + "graph/inferred"

    @property
    def resource(self) -> str:
        """Prefix of every published resource (``/id/<type>/<slug>``)."""
        return self.base + "id/"

    def prefixes(self) -> dict[str, str]:
        """All prefixes for serializing, the base-dependent ones included."""
        return {"tg": self.tg, "tgsh": self.tgsh, **PREFIXES}
