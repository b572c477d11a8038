"""Entity reconciliation over the graph: the matching index, scoring and the API's answers.

The web layer (``twingraph.web.reconcile``) only parses HTTP and calls the plain functions here.
"""

from __future__ import annotations

from twingraph.reconcile.extend import extend, extend_json, propose_properties
from twingraph.reconcile.index import ReconIndex, build_index
from twingraph.reconcile.service import InvalidRequest, parse_batch, reconcile, reconcile_json
from twingraph.reconcile.suggest import suggest_entities, suggest_properties, suggest_types

__all__ = [
    "InvalidRequest",
    "ReconIndex",
    "build_index",
    "extend",
    "extend_json",
    "parse_batch",
    "propose_properties",
    "reconcile",
    "reconcile_json",
    "suggest_entities",
    "suggest_properties",
    "suggest_types",
]
