"""The reader's language: German and English UI strings, and labels from the data in de/en/fr.

The language comes from ``?lang=`` (which also sets a cookie, so the choice sticks), else the
cookie, else ``Accept-Language``. Data labels follow the reader's languages in order of preference,
then English, German and French, then any other; the UI itself is German or English.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import babel.dates
from flask import Request

UI_LANGUAGES = ("en", "de")
DATA_LANGUAGES = ("en", "de", "fr")
LANG_COOKIE = "lang"

# key -> (English, German)
STRINGS: dict[str, tuple[str, str]] = {
    "site_tagline": ("Town twinning as Linked Open Data", "Städtepartnerschaften als Linked Open Data"),
    "site_intro": (
        "twingraph publishes town twinning partnerships – their life cycle, the people, offices, schools "
        "and places behind them – as Linked Open Data. Every fact names its source.",
        "twingraph veröffentlicht Städtepartnerschaften – ihren Lebenslauf, die beteiligten Personen, Ämter, "
        "Schulen und Orte – als Linked Open Data. Jede Angabe nennt ihre Quelle.",
    ),
    "skip": ("Skip to content", "Zum Inhalt springen"),
    "home": ("Home", "Startseite"),
    "search": ("Search", "Suche"),
    "search_label": ("Search all entities by name", "Alle Einträge nach Namen durchsuchen"),
    "search_placeholder": ("e.g. Amiens, Rostow, Keuning", "z. B. Amiens, Rostow, Keuning"),
    "search_results": ("Results for", "Ergebnisse für"),
    "search_none": ("Nothing matches this search.", "Nichts passt zu dieser Suche."),
    "search_hint": (
        "Search is typo-tolerant and covers labels in every language.",
        "Die Suche verzeiht Tippfehler und umfasst Namen in allen Sprachen.",
    ),
    "browse": ("Browse", "Stöbern"),
    "lists": ("Lists", "Listen"),
    "map": ("Map", "Karte"),
    "map_all": ("Map of all partnerships", "Karte aller Partnerschaften"),
    "map_of": ("Map of the partner cities of", "Karte der Partnerstädte von"),
    "map_none": (
        "No coordinates are known for these cities.",
        "Für diese Städte sind keine Koordinaten bekannt.",
    ),
    "sparql": ("SPARQL", "SPARQL"),
    "sparql_ui": ("SPARQL query editor", "SPARQL-Abfrageeditor"),
    "examples": ("Example queries", "Beispielabfragen"),
    "dumps": ("Downloads", "Downloads"),
    "ontology": ("Ontology", "Ontologie"),
    "shapes": ("Shapes", "Shapes"),
    "counts": ("What the dataset holds", "Was der Datensatz enthält"),
    "class": ("Class", "Klasse"),
    "count": ("Count", "Anzahl"),
    "release": ("Release", "Release"),
    "release_latest": ("Newest release", "Neuestes Release"),
    "release_built": ("built", "erstellt"),
    "unpublished": ("Unpublished development release", "Unveröffentlichte Entwicklungsversion"),
    "unpublished_note": (
        "its inputs are not those of a published version; the part after + is their fingerprint, so the "
        "version names this content. Cite a published version.",
        "ihre Eingaben sind nicht die einer veröffentlichten Version; der Teil nach + ist ihr Fingerabdruck, "
        "die Version benennt also diesen Inhalt. Zitieren Sie eine veröffentlichte Version.",
    ),
    "release_downloads": (
        "Downloads of the whole dataset (all formats, checksums)",
        "Downloads des ganzen Datensatzes (alle Formate, Prüfsummen)",
    ),
    "type": ("Type", "Typ"),
    "label": ("Name", "Name"),
    "iri": ("IRI", "IRI"),
    "properties": ("Properties", "Eigenschaften"),
    "property": ("Property", "Eigenschaft"),
    "value": ("Value", "Wert"),
    "sources": ("Sources", "Quellen"),
    "source": ("Source", "Quelle"),
    "more_sources": ("more sources", "weitere Quellen"),
    "derived": ("derived", "abgeleitet"),
    "derived_facts": ("Derived facts", "Abgeleitete Angaben"),
    "derived_hint": (
        "Computed by the build from the facts above (superclasses, schema.org terms, inverse links); "
        "no source states them as such.",
        "Vom Build aus den obigen Angaben berechnet (Oberklassen, schema.org-Begriffe, inverse "
        "Verknüpfungen); keine Quelle nennt sie so.",
    ),
    "conflicts": ("Sources disagree", "Quellen widersprechen sich"),
    "conflict_on": ("Disagreement on", "Widerspruch bei"),
    "conflict_badge": ("disputed", "umstritten"),
    "incoming": ("Links to this resource", "Verweise auf diesen Eintrag"),
    "incoming_none": ("Nothing links here.", "Nichts verweist hierher."),
    "from": ("from", "von"),
    "via": ("via", "über"),
    "page": ("Page", "Seite"),
    "previous": ("Previous", "Zurück"),
    "next": ("Next", "Weiter"),
    "downloads": ("This description as data", "Diese Beschreibung als Daten"),
    "with_sources": ("with sources as named graphs", "mit Quellen als benannten Graphen"),
    "timeline": ("Life cycle", "Lebenslauf"),
    "timeline_empty": ("No dated events are known.", "Keine datierten Ereignisse bekannt."),
    "date": ("Date", "Datum"),
    "event": ("Event", "Ereignis"),
    "place": ("Place", "Ort"),
    "people": ("People", "Personen"),
    "acting_body": ("Acting body", "Handelndes Organ"),
    "partnerships": ("Partnerships", "Partnerschaften"),
    "cities": ("Cities", "Städte"),
    "map_placed": ("cities with coordinates on the map", "Städte mit Koordinaten auf der Karte"),
    "events": ("Events", "Ereignisse"),
    "schools": ("Schools", "Schulen"),
    "more_lists": ("All lists", "Alle Listen"),
    "partner": ("Partner", "Partner"),
    "partners": ("Partners", "Partner"),
    "kind": ("Kind", "Art"),
    "status": ("Status", "Status"),
    "start": ("Start", "Beginn"),
    "country": ("Country", "Land"),
    "born": ("Born", "Geboren"),
    "died": ("Died", "Gestorben"),
    "city": ("City", "Stadt"),
    "all": ("all", "alle"),
    "filter": ("Filter", "Filtern"),
    "filter_text": ("Name contains", "Name enthält"),
    "sort": ("Sort by", "Sortieren nach"),
    "ascending": ("ascending", "aufsteigend"),
    "descending": ("descending", "absteigend"),
    "apply": ("Apply", "Anwenden"),
    "shown": ("shown", "angezeigt"),
    "of": ("of", "von"),
    "not_found": ("Not found", "Nicht gefunden"),
    "not_found_text": ("This dataset does not describe", "Dieser Datensatz beschreibt nicht"),
    "did_you_mean": ("Did you mean", "Meinten Sie"),
    "not_found_help": (
        "Try the search, or browse the lists.",
        "Versuchen Sie die Suche oder stöbern Sie in den Listen.",
    ),
    "language": ("Language", "Sprache"),
    "classes": ("Classes", "Klassen"),
    "object_properties": ("Object properties", "Objekteigenschaften"),
    "datatype_properties": ("Datatype properties", "Dateneigenschaften"),
    "concepts": ("Concepts", "Begriffe"),
    "superclass": ("Subclass of", "Unterklasse von"),
    "subproperty": ("Subproperty of", "Untereigenschaft von"),
    "domain": ("Domain", "Definitionsbereich"),
    "range": ("Range", "Wertebereich"),
    "definition": ("Definition", "Definition"),
    "matches": ("Matches", "Entsprechungen"),
    "inverse": ("Inverse of", "Invers zu"),
    "contents": ("Contents", "Inhalt"),
    "target_class": ("Checks", "Prüft"),
    "constraints": ("Constraints", "Bedingungen"),
    "path": ("Path", "Pfad"),
    "message": ("Message", "Meldung"),
    "shapes_none": ("No shapes are published yet.", "Noch keine Shapes veröffentlicht."),
    "license": ("Every fact links to its source.", "Jede Angabe verweist auf ihre Quelle."),
    "nav": ("Main navigation", "Hauptnavigation"),
}

# Labels for the terms of other vocabularies that pages show as property names (by short name).
TERM_LABELS: dict[str, tuple[str, str]] = {
    "rdf:type": ("type", "Typ"),
    "rdfs:label": ("name", "Name"),
    "rdfs:comment": ("comment", "Kommentar"),
    "rdfs:seeAlso": ("see also", "siehe auch"),
    "skos:altLabel": ("also known as", "auch bekannt als"),
    "skos:prefLabel": ("name", "Name"),
    "skos:definition": ("definition", "Definition"),
    "skos:inScheme": ("in scheme", "im Schema"),
    "skos:broader": ("broader", "übergeordnet"),
    "skos:narrower": ("narrower", "untergeordnet"),
    "owl:sameAs": ("same as", "identisch mit"),
    "geo:lat": ("latitude", "Breitengrad"),
    "geo:long": ("longitude", "Längengrad"),
    "schema:url": ("web page", "Webseite"),
    "dct:publisher": ("publisher", "Herausgeber"),
    "dct:language": ("language", "Sprache"),
    "dct:source": ("source", "Quelle"),
    "prov:wasDerivedFrom": ("derived from", "abgeleitet aus"),
}


@dataclass(frozen=True)
class Language:
    """The reader's UI language and the order in which data labels are preferred."""

    ui: str
    data: tuple[str, ...]

    def text(self, key: str) -> str:
        """The UI string ``key`` in the UI language."""
        en, de = STRINGS[key]
        return de if self.ui == "de" else en

    def term(self, short_name: str) -> str | None:
        """The UI label of a foreign vocabulary term (``rdf:type``), if there is one."""
        labels = TERM_LABELS.get(short_name)
        return None if labels is None else labels[1] if self.ui == "de" else labels[0]


def _accepted(request: Request) -> list[str]:
    """Primary language subtags of Accept-Language, best first (``de-AT`` -> ``de``)."""
    ordered = sorted(request.accept_languages, key=lambda item: -item[1])
    return list(dict.fromkeys(tag.split("-")[0].lower() for tag, q in ordered if q > 0 and tag != "*"))


def requested_ui(request: Request) -> str | None:
    """A valid ``?lang=`` value, if the request has one."""
    lang = request.args.get("lang", "")
    return lang if lang in UI_LANGUAGES else None


def choose_language(request: Request) -> Language:
    """The reader's language: ``?lang=``, then the cookie, then Accept-Language; English by default."""
    accepted = _accepted(request)
    ui = requested_ui(request) or request.cookies.get(LANG_COOKIE, "")
    if ui in UI_LANGUAGES:
        # An explicit choice rules the data labels too.
        return Language(ui=ui, data=tuple(dict.fromkeys([ui, *accepted, *DATA_LANGUAGES])))
    ui = next((lang for lang in accepted if lang in UI_LANGUAGES), "en")
    # Otherwise labels follow the reader's languages (a French reader gets French labels in an English UI).
    return Language(ui=ui, data=tuple(dict.fromkeys([*accepted, ui, *DATA_LANGUAGES])))


def format_date(text: str, ui: str) -> str:
    """An xsd date, year-month or year as readers write it; anything else unchanged.

    >>> format_date("1959-11-20", "de"), format_date("1959-11-20", "en"), format_date("2022-05", "de")
    ('20. November 1959', '20 November 1959', 'Mai 2022')
    >>> format_date("1960", "en"), format_date("about 1960", "en")
    ('1960', 'about 1960')
    """
    locale = "de" if ui == "de" else "en_GB"
    try:
        if len(text) == 10:
            return babel.dates.format_date(datetime.date.fromisoformat(text), format="long", locale=locale)
        if len(text) == 7 and text[4] == "-":
            day = datetime.date(int(text[:4]), int(text[5:]), 1)
            return babel.dates.format_skeleton("yMMMM", day, locale=locale)
    except ValueError:
        pass
    return text


def pick(values: Iterable[tuple[str, str]], preferred: Sequence[str]) -> str | None:
    """The text of (text, language) pairs in the first preferred language, then untagged, then any.

    >>> pick([("Rostow am Don", "de"), ("Rostov-on-Don", "en")], ("de", "en"))
    'Rostow am Don'
    >>> pick([("Amiens", "fr")], ("de", "en")) , pick([], ("en",))
    ('Amiens', None)
    """
    items = list(values)
    if not items:
        return None
    for lang in (*preferred, ""):
        for text, tag in items:
            if tag.lower() == lang:
                return text
    return sorted(items, key=lambda item: item[1])[0][0]
