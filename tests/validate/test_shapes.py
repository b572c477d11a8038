"""The SHACL shapes: each example validates as it says, and the shapes file keeps its conventions.

``shapes/examples/<Shape>-valid*.ttl`` must conform; ``<Shape>-invalid-*.ttl`` must fail on exactly the
shape named in its first line (``# violates: <shapes#...>``). The conventions (a shape per ontology
class, a message and a label on every shape, a valid and an invalid example per target shape) are
checked here so that a class or shape added without them fails a test.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH
from rdflib.term import Node

from twingraph.config import PROJECT_DIR, Settings
from twingraph.load import LoadedGraph, apply_rules, load_graph, ontology_files, parse_file
from twingraph.namespaces import BaseNamespaces
from twingraph.validate import (
    ValidationReport,
    load_shapes,
    parse_turtle,
    union_graph,
    validate,
    validate_graph,
)

EXAMPLES = sorted((PROJECT_DIR / "shapes" / "examples").glob("*.ttl"))
VALID = [p for p in EXAMPLES if re.match(r"^[A-Za-z]+Shape-valid(-[a-z0-9-]+)?\.ttl$", p.name)]
INVALID = [p for p in EXAMPLES if re.match(r"^[A-Za-z]+Shape-invalid-[a-z0-9-]+\.ttl$", p.name)]
VIOLATES = re.compile(r"^# violates: <shapes#([A-Za-z0-9-]+)>\s*$")
SCHEMA = "https://schema.org/"

# Parameters of SHACL core constraint components (sh:property and sh:sparql carry their own messages).
CONSTRAINT_PARAMETERS = {
    SH["class"], SH.datatype, SH.nodeKind, SH.minCount, SH.maxCount, SH.minExclusive, SH.minInclusive,
    SH.maxExclusive, SH.maxInclusive, SH.minLength, SH.maxLength, SH.pattern, SH.languageIn, SH.uniqueLang,
    SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals, SH["not"], SH["and"], SH["or"], SH.xone,
    SH.node, SH.qualifiedValueShape, SH.closed, SH.hasValue, SH["in"],
}  # fmt: skip


@pytest.fixture(scope="module")
def shapes(settings: Settings) -> Graph:
    """The project's shapes, resolved against the base IRI."""
    return load_shapes(settings)


@pytest.fixture(scope="module")
def tgsh(settings: Settings) -> str:
    """The shapes namespace under the configured base IRI."""
    return BaseNamespaces(settings.base_iri).tgsh


@pytest.fixture(scope="module")
def ontology(settings: Settings) -> Graph:
    """The ontology files, parsed with the base IRI."""
    graph = Graph()
    for path in sorted(settings.ontology_dir.glob("*.ttl")):
        parse_turtle(graph, path, settings.base_iri)
    return graph


def _check(path: Path, shapes: Graph, settings: Settings) -> ValidationReport:
    return validate_graph(parse_turtle(Graph(), path, settings.base_iri), shapes, settings.base_iri)


def _shape_of(example: Path) -> str:
    return example.name.split("-", 1)[0]


def _violates(example: Path) -> str:
    match = VIOLATES.match(example.read_text(encoding="utf-8").splitlines()[0])
    return match.group(1) if match else ""


def _named_shapes(shapes: Graph, tgsh: str) -> set[URIRef]:
    found = set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.subjects(RDF.type, SH.PropertyShape))
    return {s for s in found if isinstance(s, URIRef) and str(s).startswith(tgsh)}


def _target_shapes(shapes: Graph) -> set[Node]:
    targets = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
    return {s for t in targets for s in shapes.subjects(t, None)}


@pytest.mark.parametrize("example", VALID, ids=lambda p: p.stem)
def test_valid_example_conforms(example: Path, shapes: Graph, settings: Settings) -> None:
    report = _check(example, shapes, settings)
    assert report.conforms, report.format_text()


@pytest.mark.parametrize("example", INVALID, ids=lambda p: p.stem)
def test_invalid_example_fails_on_its_shape(
    example: Path, shapes: Graph, settings: Settings, tgsh: str
) -> None:
    first_line = example.read_text(encoding="utf-8").splitlines()[0]
    match = VIOLATES.match(first_line)
    assert match, f"{example.name} must start with '# violates: <shapes#SomeShape-constraint>'"
    expected = URIRef(tgsh + match.group(1))
    assert (expected, None, None) in shapes, f"{example.name} names an unknown shape {expected}"
    report = _check(example, shapes, settings)
    assert not report.conforms, f"{example.name} conforms but should violate {match.group(1)}"
    assert {r.source_shape for r in report.violations} == {expected}, report.format_text()


def test_example_names_follow_the_convention(shapes: Graph, tgsh: str) -> None:
    strays = [p.name for p in EXAMPLES if p not in VALID and p not in INVALID]
    assert not strays, f"examples must be named <Shape>-valid*.ttl or <Shape>-invalid-<what>.ttl: {strays}"
    unknown = [
        p.name for p in EXAMPLES if (URIRef(tgsh + _shape_of(p)), RDF.type, SH.NodeShape) not in shapes
    ]
    assert not unknown, f"examples for shapes that do not exist: {unknown}"


def test_invalid_examples_name_a_constraint_of_their_shape(shapes: Graph, tgsh: str) -> None:
    for example in INVALID:
        match = VIOLATES.match(example.read_text(encoding="utf-8").splitlines()[0])
        assert match, example.name
        shape, named = URIRef(tgsh + _shape_of(example)), URIRef(tgsh + match.group(1))
        assert named == shape or str(named).startswith(f"{shape}-"), (
            f"{example.name}: {match.group(1)} is not {shape} or one of its parts ({_shape_of(example)}-...)"
        )


def test_every_target_shape_has_valid_and_invalid_examples(shapes: Graph, tgsh: str) -> None:
    violated = {_violates(p) for p in INVALID}
    missing = []
    for shape in sorted(_target_shapes(shapes), key=str):
        name = str(shape).removeprefix(tgsh)
        owner = name.split("-", 1)[0]  # tgsh:PartnershipShape-partner-count is a part of PartnershipShape
        if not any(_shape_of(p) == owner for p in VALID):
            missing.append(f"{owner}-valid.ttl")
        if not any(_shape_of(p) == name for p in INVALID) and name not in violated:
            missing.append(f"{owner}-invalid-<what>.ttl violating {name}")
    assert not missing, f"missing examples: {missing}"


def test_every_ontology_class_has_a_node_shape(shapes: Graph, ontology: Graph, settings: Settings) -> None:
    tg = BaseNamespaces(settings.base_iri).tg
    classes = {c for c in ontology.subjects(RDF.type, OWL.Class) if str(c).startswith(tg)}
    assert classes, "no classes found in the ontology"
    targeted = {c for s in shapes.subjects(RDF.type, SH.NodeShape) for c in shapes.objects(s, SH.targetClass)}
    missing = sorted(str(c).removeprefix(tg) for c in classes - targeted)
    assert not missing, f"ontology classes without a NodeShape (sh:targetClass): {missing}"


def test_derived_types_are_checked(shapes: Graph, ontology: Graph, settings: Settings) -> None:
    """Every schema.org and tg: superclass the build derives for a class is required by some shape."""
    tg = BaseNamespaces(settings.base_iri).tg
    for cls in ontology.subjects(RDF.type, OWL.Class):
        if not str(cls).startswith(tg):
            continue
        supers = {s for s in ontology.transitive_objects(cls, RDFS.subClassOf) if s != cls}
        expected = {s for s in supers if str(s).startswith((SCHEMA, tg))}
        relevant = {cls} | supers
        required: set[Node] = set()
        for shape in shapes.subjects(RDF.type, SH.NodeShape):
            if set(shapes.objects(shape, SH.targetClass)) & relevant:
                for prop in shapes.objects(shape, SH.property):
                    if (prop, SH.path, RDF.type) in shapes:
                        required |= set(shapes.objects(prop, SH.hasValue))
        assert expected <= required, f"{cls}: no shape requires the derived types {expected - required}"


def test_every_constraint_has_a_message(shapes: Graph, tgsh: str) -> None:
    without = []
    for shape in _named_shapes(shapes, tgsh):
        if any(p in CONSTRAINT_PARAMETERS for p in shapes.predicates(shape, None)):
            languages = {m.language for m in shapes.objects(shape, SH.message) if isinstance(m, Literal)}
            if not {"en", "de"} <= languages:
                without.append(str(shape))
    for constraint in shapes.objects(None, SH.sparql):
        if not any(
            isinstance(m, Literal) and m.language == "en" for m in shapes.objects(constraint, SH.message)
        ):
            without.append(f"SPARQL constraint {constraint}")
    assert not without, f"constraints without sh:message in en and de: {sorted(without)}"


def test_every_shape_is_named_and_labelled(shapes: Graph, tgsh: str) -> None:
    anonymous = [str(p) for p in shapes.objects(None, SH.property) if not isinstance(p, URIRef)]
    assert not anonymous, "property shapes need readable IRIs (tgsh:<Shape>-<what>)"
    unlabelled = []
    for shape in _named_shapes(shapes, tgsh):
        languages = {
            label.language for label in shapes.objects(shape, RDFS.label) if isinstance(label, Literal)
        }
        if not {"en", "de"} <= languages:
            unlabelled.append(str(shape))
    assert not unlabelled, f"shapes without rdfs:label in en and de: {sorted(unlabelled)}"


def test_property_shapes_are_typed_and_used(shapes: Graph, tgsh: str) -> None:
    used = set(shapes.objects(None, SH.property))
    declared = {s for s in shapes.subjects(RDF.type, SH.PropertyShape)}
    assert used == declared, f"untyped: {used - declared}; unused: {declared - used}"


def test_sparql_namespaces_resolve_against_the_base(shapes: Graph, settings: Settings) -> None:
    namespaces = {str(n) for n in shapes.objects(None, SH.namespace)}
    assert BaseNamespaces(settings.base_iri).tg in namespaces
    assert all(re.match(r"^[a-z]+:", n) for n in namespaces), namespaces


def test_date_shape_allows_the_three_precisions(shapes: Graph, tgsh: str) -> None:
    head = shapes.value(URIRef(tgsh + "DateShape"), SH["or"])
    assert head is not None
    options = Collection(shapes, head)
    datatypes = {str(shapes.value(o, SH.datatype)).rsplit("#", 1)[1] for o in options}
    assert datatypes == {"date", "gYearMonth", "gYear"}


@pytest.mark.slow
def test_report_names_the_data_file(tmp_path: Path, settings: Settings, tgsh: str) -> None:
    """A violation in a data file is reported with that file, the focus node and the shape."""
    bad = tmp_path / "bad.trig"
    bad.write_text(
        "@prefix tg: <ontology#> .\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        "<id/source/test-page> { <id/source/test-page> a tg:Source .\n"
        '  <id/event/test-event> a tg:Signing ; rdfs:label "Test"@en ; tg:date "1960-13-01"^^xsd:date . }\n',
        encoding="utf-8",
    )
    loaded: LoadedGraph = load_graph(settings, extra_files=[bad])
    report = validate(loaded, settings)
    ours = [r for r in report.results if str(r.focus).endswith("id/event/test-event")]
    date = [r for r in ours if r.source_shape == URIRef(tgsh + "EventShape-date")]
    assert date and date[0].source_files == (str(bad),)
    line = report.format_result(date[0])
    assert line.startswith(f"{bad}: <id/event/test-event> tg:date = '1960-13-01'^^xsd:date: ")
    assert line.endswith("[tgsh:EventShape-date]")


@pytest.mark.parametrize("example", VALID, ids=lambda p: p.stem)
def test_valid_example_stays_valid_under_the_rules(example: Path, shapes: Graph, settings: Settings) -> None:
    """Running the build's rules (with the ontology) over a valid example keeps it valid.

    The examples are written in the post-rules form; if a rule derived something a shape forbids,
    the shapes and the rules would disagree, and the build would fail on correct data.
    """
    ns = BaseNamespaces(settings.base_iri)
    store = ox.Store()
    for path in ontology_files(settings):
        store.extend(parse_file(path, ns.base, default_graph=ns.ontology))
    store.extend(parse_file(example, ns.base, default_graph=ns.resource + "example"))
    apply_rules(store, ns)
    report = validate_graph(union_graph(store), shapes, settings.base_iri)
    assert report.conforms, report.format_text()
