"""The store interface and its backends, chosen by configuration."""

from __future__ import annotations

from twingraph.config import Settings
from twingraph.release import resolve_release
from twingraph.store.base import (
    Dataset,
    EndpointFailed,
    Limits,
    QueryAnswer,
    QueryRefused,
    QuerySyntaxError,
    QueryTimeout,
    QueryTooLarge,
    Row,
    Store,
    StoreError,
    StoreUnavailable,
    Term,
)
from twingraph.store.embedded import EmbeddedStore
from twingraph.store.lanes import Lanes
from twingraph.store.remote import RemoteStore

__all__ = [
    "Dataset",
    "EmbeddedStore",
    "EndpointFailed",
    "Limits",
    "QueryAnswer",
    "QueryRefused",
    "QuerySyntaxError",
    "QueryTimeout",
    "QueryTooLarge",
    "RemoteStore",
    "Row",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "Term",
    "open_store",
]


def store_limits(settings: Settings) -> Limits:
    """The query limits the settings ask for."""
    return Limits(settings.query_timeout, settings.result_limit, settings.query_memory_mb)


def open_store(settings: Settings) -> Store:
    """Open the configured backend on the release to serve."""
    folder = resolve_release(settings)
    if settings.store == "remote":
        limits = store_limits(settings)
        return RemoteStore.for_release(
            settings.remote_query_url, folder, settings.base_iri, limits, settings.remote_default_graph
        )
    return EmbeddedStore.from_release(
        folder,
        settings.base_iri,
        limits=store_limits(settings),
        workers=settings.query_workers,
        cache_dir=settings.store_cache_dir or None,
        lanes=Lanes(settings.fast_lane_seconds, settings.slow_queries),
    )
