"""Normalisation and identifier parsing: properties that must hold for any text (doctests: in the modules)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from twingraph.names import compact_key, name_key
from twingraph.reconcile import identifiers


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Xi'an", "Xian"),
        ("Xi’an", "XI'AN"),
        ("Rostov-on-Don", "rostov on don"),
        ("Criciúma", "CRICIUMA"),
        ("Fritz Henßler", "Fritz Henssler"),
        ("Collège St. Riquier", "Collège St-Riquier"),
        ("Ewald Görshop", "ewald gorshop"),
    ],
)
def test_variants_meet(a: str, b: str) -> None:
    assert compact_key(name_key(a)) == compact_key(name_key(b))


@pytest.mark.parametrize(
    ("a", "b"), [("Rostov", "Rostock"), ("Xi'an", "Xiamen"), ("Leeds", "Lees"), ("西安", "西宁")]
)
def test_different_names_stay_apart(a: str, b: str) -> None:
    assert name_key(a) != name_key(b)


@given(st.text())
def test_name_key_is_idempotent_and_tidy(text: str) -> None:
    key = name_key(text)
    assert name_key(key) == key
    assert key == key.strip() and "  " not in key


@pytest.mark.parametrize(
    ("text", "qid"),
    [
        ("Q5826", "Q5826"),
        ("q5826", "Q5826"),
        ("wd:Q5826", "Q5826"),
        ("http://www.wikidata.org/entity/Q5826", "Q5826"),
        ("https://www.wikidata.org/wiki/Q5826", "Q5826"),
        ("Q0", None),
        ("Q5826x", None),
        ("P580", None),
    ],
)
def test_qids(text: str, qid: str | None) -> None:
    assert identifiers.parse_qid(text) == qid


def test_every_property_is_documented() -> None:
    from twingraph.config import PROJECT_DIR
    from twingraph.reconcile.catalogue import PROPERTIES

    doc = (PROJECT_DIR / "docs" / "reconciliation.md").read_text(encoding="utf-8")
    for spec in PROPERTIES:
        assert f"| `{spec.id}` | {spec.name} |" in doc, f"property {spec.id} is not in docs/reconciliation.md"
