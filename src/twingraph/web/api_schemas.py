"""The JSON Schemas the OpenAPI document's answers refer to (``#/components/schemas/...``)."""

from __future__ import annotations

from typing import Any

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["status", "error", "message"],
        "properties": {
            "status": {"type": "integer"},
            "error": {"type": "string"},
            "message": {"type": "string"},
        },
    },
    "Health": {
        "type": "object",
        "required": ["status", "release", "store"],
        "properties": {
            "status": {"type": "string", "enum": ["ok", "unavailable"]},
            "service": {"type": "string"},
            "release": {"type": "string"},
            "store": {"type": "string", "enum": ["reachable", "unreachable"]},
            "message": {"type": "string"},
            "checked_ms": {"type": "number"},
        },
    },
    "Releases": {
        "type": "object",
        "required": ["releases"],
        "properties": {
            "releases": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["version", "date", "files"],
                    "properties": {
                        "version": {"type": "string"},
                        "date": {"type": "string", "format": "date"},
                        "latest": {"type": "boolean"},
                        "url": {"type": "string"},
                        "files": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["name", "url", "size", "sha256", "media_type"],
                                "properties": {
                                    "name": {"type": "string"},
                                    "url": {"type": "string"},
                                    "size": {"type": "integer"},
                                    "sha256": {"type": "string"},
                                    "media_type": {"type": "string"},
                                    "description": {"type": "string"},
                                },
                            },
                        },
                    },
                },
            }
        },
    },
}
