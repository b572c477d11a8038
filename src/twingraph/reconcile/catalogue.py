"""The properties the service knows: for refining queries, for suggest and for data extension.

Each property's values come from its own query, ``queries/reconcile/value-<id>.rq``, which
returns ``?entity ?value`` pairs; the index runs them once per release. A property may name the
ontology property it shows, whose labels (en/de/fr) and Wikidata mapping (``skos:exactMatch
wdt:P…``) become names and aliases: ``P580`` finds ``startDate``, ``P1566`` finds ``geonames``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ValueKind = Literal["str", "int", "entity", "qid", "geonames", "country"]


@dataclass(frozen=True)
class PropertySpec:
    """One property: its id, English name and description, value kind and the types it applies to.

    ``types`` are local names of ontology classes; empty means every type. ``ontology`` is the
    local name of the ``tg:`` property it shows, if any. ``aliases`` are further accepted ids.
    """

    id: str
    name: str
    description: str
    kind: ValueKind
    types: tuple[str, ...] = ()
    ontology: str | None = None
    aliases: tuple[str, ...] = field(default=())
    value_type: str | None = None


# Types offered first in the manifest (those with instances, counting subclasses); the order is
# how often a column of names is expected to hold them.
DEFAULT_TYPES = (
    "City",
    "Person",
    "Organisation",
    "School",
    "Partnership",
    "Event",
    "Place",
    "AdministrativeBody",
    "Post",
)

PROPERTIES: tuple[PropertySpec, ...] = (
    PropertySpec(
        "wikidata",
        "Wikidata QID",
        "The Wikidata item of the resource (owl:sameAs).",
        "qid",
        aliases=("qid", "wikidata-qid", "owl:sameAs"),
    ),
    PropertySpec(
        "geonames",
        "GeoNames ID",
        "The GeoNames feature of a place (owl:sameAs).",
        "geonames",
        types=("City", "Place"),
        aliases=("P1566", "geonames-id"),
    ),
    PropertySpec(
        "country",
        "country code",
        "ISO 3166-1 alpha-2 code of the city's country; a country "
        "name in a query (Deutschland, France, Россия) is understood too.",
        "country",
        types=("City",),
        ontology="countryCode",
        aliases=("P17", "P297", "countryCode"),
    ),
    PropertySpec(
        "partner",
        "partner city",
        "The cities of a partnership, or the cities a city shares a partnership with.",
        "entity",
        types=("City", "Partnership"),
        ontology="partner",
        value_type="City",
    ),
    PropertySpec(
        "twinnedWith",
        "twinned with",
        "Twin cities (twinning or friendship; Wikidata P190).",
        "entity",
        types=("City",),
        ontology="twinnedWith",
        value_type="City",
    ),
    PropertySpec(
        "partnership",
        "partnership",
        "The partnerships a city is party to, or the partnership "
        "an event, charter or status period belongs to.",
        "entity",
        types=("City", "Event", "CharterDocument", "StatusPeriod", "SchoolPartnership"),
        ontology="partnership",
        value_type="Partnership",
    ),
    PropertySpec(
        "startDate",
        "start",
        "Start of a partnership, term of office or status period, at "
        "the precision the source gives (1960, 1970-04, 1960-04-02).",
        "str",
        types=("Partnership", "OfficeTerm", "StatusPeriod"),
        ontology="startDate",
    ),
    PropertySpec(
        "startYear",
        "start year",
        "Year of the start date.",
        "int",
        types=("Partnership", "OfficeTerm", "StatusPeriod"),
        aliases=("year", "since"),
    ),
    PropertySpec(
        "endDate",
        "end",
        "End of a partnership, term of office or status period.",
        "str",
        types=("Partnership", "OfficeTerm", "StatusPeriod"),
        ontology="endDate",
    ),
    PropertySpec(
        "kind",
        "kind of partnership",
        "Twinning, friendship, project, solidarity or climate partnership.",
        "entity",
        types=("Partnership",),
        ontology="kind",
    ),
    PropertySpec(
        "currentStatus",
        "current status",
        "Active, dormant or ended.",
        "entity",
        types=("Partnership",),
        ontology="currentStatus",
    ),
    PropertySpec(
        "date",
        "date",
        "When an event took place, at the precision the source gives.",
        "str",
        types=("Event",),
        ontology="date",
    ),
    PropertySpec(
        "location", "location", "Where an event took place.", "entity", types=("Event",), ontology="location"
    ),
    PropertySpec(
        "participant",
        "participant",
        "People who acted in an event.",
        "entity",
        types=("Event",),
        ontology="participant",
        value_type="Person",
    ),
    PropertySpec(
        "locatedIn",
        "located in",
        "The place or city a school, organisation or place is in.",
        "entity",
        types=("School", "Organisation", "Place"),
        ontology="locatedIn",
    ),
    PropertySpec(
        "birthDate",
        "date of birth",
        "A person's date of birth.",
        "str",
        types=("Person",),
        ontology="birthDate",
    ),
    PropertySpec(
        "deathDate",
        "date of death",
        "A person's date of death.",
        "str",
        types=("Person",),
        ontology="deathDate",
    ),
    PropertySpec(
        "post",
        "office held",
        "Offices a person held.",
        "entity",
        types=("Person",),
        value_type="Post",
        aliases=("P39",),
    ),
    PropertySpec("altLabel", "alternative names", "Other names and spellings (all languages).", "str"),
)


def property_query_name(spec: PropertySpec) -> str:
    """Name of the query (for :func:`twingraph.queries.load_query`) that yields the property's values."""
    return f"reconcile/value-{spec.id}"
