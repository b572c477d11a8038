"""The landing page: what the dataset is, its counts, the newest release, search, SPARQL and examples."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, request

from twingraph.queries import load_query
from twingraph.web import get_settings, get_store
from twingraph.web.i18n import Language
from twingraph.web.labels import app_cached, site_data, term_text
from twingraph.web.render import current_language, render_page
from twingraph.web.uris import RESOURCE_TYPES

bp = Blueprint("home", __name__)

DEFAULT_BASE = "https://w3id.org/twingraph/"
# (query file, English title, German title)
EXAMPLES = (
    ("example-partnerships", "Partnerships by start date", "Partnerschaften nach Beginn"),
    (
        "example-timeline",
        "Life cycles: events in date order, with sources",
        "Lebensläufe: Ereignisse mit Quellen",
    ),
    ("example-conflicts", "Where sources disagree", "Wo Quellen sich widersprechen"),
)


def example_links() -> list[tuple[str, str, str]]:
    """(title, link to the SPARQL endpoint, query text) of each example, written for the served base IRI."""
    lang = current_language()
    base = get_settings().base_iri
    links = []
    for name, en, de in EXAMPLES:
        text = load_query(f"pages/{name}").replace(DEFAULT_BASE, base)
        links.append((de if lang.ui == "de" else en, "/sparql?" + urlencode({"query": text}), text))
    return links


@bp.get("/")
def index() -> Response:
    """Landing page with counts per class, the release, search and the ways into the data."""
    lang = current_language()
    counts = app_cached("home", lang.data, lambda: class_counts(lang))
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

    world, cities, pairs = overview(lang)
    return render_page(
        "home.html",
        counts=counts,
        examples=example_links(),
        jsonld=dataset,
        citation=dataset.get("creditText"),
        map=world,
        map_cities=len(cities),
        map_pairs=pairs,
    )


def class_counts(lang: Language) -> list[tuple[str, int, str | None]]:
    """(class label, number of instances, link to its list) for each class of the ontology."""
    site = site_data()
    counts = []
    for row in get_store().select(load_query("pages/home-counts")):
        iri = term_text(row["class"])
        segment = next(
            (t.segment for t in RESOURCE_TYPES if site.uris.class_iri(t) == iri and t.listed), None
        )
        counts.append(
            (site.name(iri, lang), int(term_text(row["count"])), f"/list/{segment}" if segment else None)
        )
    return counts
