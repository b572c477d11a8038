"""CITATION.cff: valid against the Citation File Format 1.2.0 schema and in step with data/dataset.toml."""

from __future__ import annotations

import json
import tomllib

import jsonschema
import yaml

from twingraph.config import PROJECT_DIR

SCHEMA = PROJECT_DIR / "tests" / "conformance" / "citation-file-format" / "1.2.0" / "schema.json"
LICENSES = {
    "http://creativecommons.org/publicdomain/zero/1.0/": "CC0-1.0",
    "https://creativecommons.org/licenses/by/4.0/": "CC-BY-4.0",
}


def _citation() -> dict[str, object]:
    # date-released must stay a string for the JSON Schema (YAML would read it as a date)
    text = (PROJECT_DIR / "CITATION.cff").read_text(encoding="utf-8")
    loaded: dict[str, object] = yaml.load(text, Loader=yaml.BaseLoader)
    return loaded


def test_citation_cff_is_valid() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validate(_citation(), schema, format_checker=jsonschema.FormatChecker())


def test_citation_cff_follows_the_dataset_description() -> None:
    dataset = tomllib.loads((PROJECT_DIR / "data" / "dataset.toml").read_text(encoding="utf-8"))
    citation = _citation()
    assert citation["version"] == dataset["version"]
    assert citation["date-released"] == str(dataset["date"])
    assert citation["title"] == dataset["title"]["en"]
    assert citation["license"] == LICENSES[dataset["license"]]
    assert citation["identifiers"][0]["value"].endswith(f"/dataset/{dataset['version']}")  # type: ignore[index]
