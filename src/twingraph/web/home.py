"""The landing page: what the dataset is, its counts, the newest release, search, SPARQL and examples."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, request

from twingraph.queries import load_query
from twingraph.web.i18n import Language
from twingraph.web.labels import app_cached, site_data
from twingraph.web.release_facts import release_facts
from twingraph.web.render import current_language, render_page
from twingraph.web.state import get_settings, get_store
from twingraph.web.uris import RESOURCE_TYPES, ResourceType

bp = Blueprint("home", __name__)

DEFAULT_BASE = "https://w3id.org/twingraph/"
# (query file, catalogue key of its title)
EXAMPLES = (
    ("example-partnerships", "home_example_partnerships"),
    ("example-timeline", "home_example_timeline"),
    ("example-conflicts", "home_example_conflicts"),
)


def example_links() -> list[tuple[str, str, str]]:
    """(title, link to the SPARQL endpoint, query text) of each example, written for the served base IRI."""
    lang = current_language()
    base = get_settings().base_iri
    links: list[tuple[str, str, str]] = []
    for name, key in EXAMPLES:
        text = load_query(f"pages/{name}").replace(DEFAULT_BASE, base)
        links.append((lang.text(key), "/sparql?" + urlencode({"query": text}), text))
    return links


@bp.get("/")
def index() -> Response:
    """Landing page with counts per class, the release, search and the ways into the data."""
    lang = current_language()
    counts = app_cached("home", lang.data, lambda: class_counts(lang))
    # The map's caption counts cities and partnerships with the table's query (home-counts.rq), so the
    # page never gives two figures for one thing; the map adds how many cities it can place.
    totals = app_cached("home-totals", "", instance_counts)
    uris = site_data().uris
    root = request.host_url.rstrip("/")
    dataset = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": get_settings().base_iri,
        "name": "twingraph",
        "description": lang.text("site_intro"),
        "inLanguage": lang.ui,
        "version": get_store().version,
        "url": root + "/",
        "distribution": {"@type": "DataDownload", "url": root + "/dumps/"},
    }
    from twingraph.web.citation import dataset_jsonld
    from twingraph.web.pages import overview

    dataset = dataset_jsonld(lang.text("site_intro"), lang.ui) or dataset  # the release's, with its citation

    world = overview(lang)
    return render_page(
        "home.html",
        counts=counts,
        examples=example_links(),
        jsonld=dataset,
        citation=dataset.get("creditText"),
        map=world,
        map_cities=world.cities_placed if world else 0,
        city_count=totals.get(uris.class_iri(_resource_type("city")), 0),
        partnership_count=totals.get(uris.class_iri(_resource_type("partnership")), 0),
    )


def instance_counts() -> dict[str, int]:
    """Number of instances per class of the ontology (home-counts.rq), in its order."""
    return release_facts().counts  # computed once per release (release_facts.py)


def _resource_type(segment: str) -> ResourceType:
    return next(t for t in RESOURCE_TYPES if t.segment == segment)


def class_counts(lang: Language) -> list[tuple[str, int, str | None]]:
    """(class label, number of instances, link to its list) for each class of the ontology."""
    site = site_data()
    counts = []
    for iri, count in app_cached("home-totals", "", instance_counts).items():
        segment = next(
            (t.segment for t in RESOURCE_TYPES if site.uris.class_iri(t) == iri and t.listed), None
        )
        counts.append((site.name(iri, lang), count, f"/list/{segment}" if segment else None))
    return counts
