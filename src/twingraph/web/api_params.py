"""Parameters several operations of the OpenAPI document share (web/api_docs*.py)."""

from __future__ import annotations

from typing import Any

from twingraph.web.uris import RESOURCE_TYPES

# Derived from the resource types (web/uris.py), so that a new type is documented without an edit here.
SEGMENTS = [t.segment for t in RESOURCE_TYPES]
LISTED_SEGMENTS = [t.segment for t in RESOURCE_TYPES if t.listed]
ACCEPT_LANGUAGE: dict[str, Any] = {
    "name": "Accept-Language",
    "in": "header",
    "description": "Languages the reader prefers (labels and page text).",
    "required": False,
    "schema": {"type": "string"},
}


def param(
    name: str, where: str, description: str, schema: dict[str, Any], required: bool | None = None
) -> dict[str, Any]:
    """One OpenAPI parameter object; a path parameter is always required, others only when said.

    >>> param("slug", "path", "Its slug.", {"type": "string"})["required"]
    True
    """
    return {
        "name": name,
        "in": where,
        "description": description,
        "required": where == "path" if required is None else required,
        "schema": schema,
    }


# Parameters of the reconciliation services (0.2 and 1.0-draft) alike.
LIMIT = param("limit", "query", "Most results (capped).", {"type": "integer", "minimum": 1})
PREFIX = param("prefix", "query", "What the user has typed so far.", {"type": "string"}, required=True)
