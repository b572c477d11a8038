"""The Reconciliation API's JSON Schemas (verbatim in tests/conformance/reconciliation/schemas/<version>),
loaded into one registry per version, with a Draft 7 validator per schema (as upstream's CI)."""

from __future__ import annotations

import json
from functools import cache

from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from support.paths import CONFORMANCE

SPEC = CONFORMANCE / "reconciliation"
# version folder -> the $id base its schemas' relative references resolve against
BASES = {
    "0.2": "https://reconciliation-api.github.io/specs/0.2/schemas/",
    "1.0-draft": "https://reconciliation-api.github.io/specs/draft/schemas/",
}
# The schemas with upstream valid and invalid examples (SPEC/examples/<version>/<schema>/).
EXAMPLE_SCHEMAS = [
    "manifest",
    "reconciliation-query-batch",
    "reconciliation-result-batch",
    "data-extension-query",
    "data-extension-response",
    "data-extension-property-proposal",
    "suggest-entities-response",
    "suggest-properties-response",
    "suggest-types-response",
]


@cache
def registry(version: str) -> Registry:  # type: ignore[type-arg]
    """One registry for a version's schemas, under their $id and under their file's URL."""
    found: Registry = Registry()  # type: ignore[type-arg]
    for path in sorted((SPEC / "schemas" / version).glob("*.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resource = Resource.from_contents(contents, default_specification=DRAFT7)
        for uri in filter(None, {BASES[version] + path.name, contents.get("$id") or contents.get("id")}):
            found = found.with_resource(str(uri).rstrip("#"), resource)
    return found.crawl()


@cache
def validator(version: str, name: str) -> Draft7Validator:
    """The validator of one schema of ``version``."""
    schema = json.loads((SPEC / "schemas" / version / f"{name}.json").read_text(encoding="utf-8"))
    schema["$id"] = BASES[version] + f"{name}.json"  # resolve relative refs in the version's folder
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema, registry=registry(version))


def assert_valid(version: str, name: str, instance: object) -> None:
    """Fail with every schema error found in ``instance``."""
    errors = sorted(validator(version, name).iter_errors(instance), key=lambda e: list(e.absolute_path))
    assert not errors, f"{name}: " + "; ".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])
