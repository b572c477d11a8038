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
