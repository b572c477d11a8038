"""One frozen Settings object: defaults in code, ``TWINGRAPH_*`` environment overrides.

Every setting is declared once, with its help text, so that the README table and the
``twingraph settings`` command are generated from the same place (a test keeps them in step).
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parents[2]


def _setting(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    """Configuration of a twingraph instance. Build one with :func:`load_settings`."""

    base_iri: str = _setting(
        "https://w3id.org/twingraph/",
        "Base IRI of every published resource; data files use relative IRIs resolved against it.",
    )
    project_dir: Path = _setting(PROJECT_DIR, "Folder holding ontology/, shapes/ and data/.")
    dist_dir: Path = _setting(PROJECT_DIR / "dist", "Folder that holds the releases (dist/<version>/).")
    imports_dir: Path = _setting(
        PROJECT_DIR / "imports",
        "Folder of generated imports (twingraph import ...); every *.trig in it is loaded with data/.",
    )
    release: str = _setting("latest", "Release to serve: a version folder name under dist_dir, or 'latest'.")
    host: str = _setting("127.0.0.1", "Interface the server listens on.")
    port: int = _setting(8080, "Port the server listens on.")
    workers: int = _setting(2, "Number of server worker processes.")
    proxy_hops: int = _setting(
        0,
        "Reverse proxies in front of the app (nginx: 1) whose X-Forwarded-For/-Proto/-Host are trusted, "
        "so that rate limits count real clients and links carry the public scheme and host.",
    )
    store: str = _setting(
        "embedded", "Store backend: 'embedded' (pyoxigraph) or 'remote' (a SPARQL endpoint)."
    )
    remote_query_url: str = _setting("", "Remote backend: SPARQL query endpoint URL.")
    remote_update_url: str = _setting("", "Remote backend: SPARQL update endpoint URL (used only to load).")
    remote_store_url: str = _setting("", "Remote backend: Graph Store Protocol URL (used only to load).")
    remote_default_graph: str = _setting(
        "",
        "Remote backend: IRI of a named graph holding the merge, for engines without a default graph of "
        "their own (Virtuoso); every query then states its dataset. Empty: the endpoint's default graph.",
    )
    remote_user: str = _setting("", "Remote backend: user for loading (HTTP digest or basic authentication).")
    remote_password: str = _setting("", "Remote backend: password of remote_user (used only to load).")
    query_timeout: float = _setting(10.0, "Seconds a SPARQL query may run before it is stopped.")
    result_limit: int = _setting(
        10000, "Most rows or triples one SPARQL response returns (stated, never silent)."
    )
    query_workers: int = _setting(2, "Worker processes that run SPARQL queries for the embedded store.")
    query_memory_mb: int = _setting(
        2048, "Memory (MiB) one SPARQL query worker may allocate; a query needing more is stopped."
    )
    rate_limit: int = _setting(600, "Requests per minute one client may make to /sparql and /reconcile.")
    max_request_bytes: int = _setting(1_000_000, "Largest request body accepted (413 beyond).")
    cache_entries: int = _setting(2048, "Bounded result cache size (entries), keyed by release and query.")
    cache_max_bytes: int = _setting(
        64_000_000, "Most bytes the SPARQL result cache holds in all; least recently used answers go first."
    )
    http_max_age: int = _setting(
        300, "Seconds clients and proxies may reuse a /sparql answer (Cache-Control); ETags revalidate it."
    )
    store_cache_dir: str = _setting(
        "", "Folder for the embedded store's database, built once per release (empty: system temp folder)."
    )
    wikidata_endpoint: str = _setting(
        "https://query.wikidata.org/sparql", "Wikidata SPARQL endpoint used by 'twingraph wikidata'."
    )

    @property
    def ontology_dir(self) -> Path:
        """Folder of the OWL ontology files."""
        return self.project_dir / "ontology"

    @property
    def shapes_dir(self) -> Path:
        """Folder of the SHACL shapes (examples in ``examples/``)."""
        return self.project_dir / "shapes"

    @property
    def data_dir(self) -> Path:
        """Folder of the curated TriG files."""
        return self.project_dir / "data"


def setting_docs() -> list[tuple[str, str, str]]:
    """Return (environment variable, default, help) for every setting."""
    rows = []
    for f in dataclasses.fields(Settings):
        default = f.default
        if isinstance(default, Path):
            default = (
                "<project>/" + default.relative_to(PROJECT_DIR).as_posix()
                if default != PROJECT_DIR
                else "<project>"
            )
        rows.append((f"TWINGRAPH_{f.name.upper()}", str(default), f.metadata["help"]))
    return rows


def _convert(kind: Any, raw: str, name: str) -> Any:
    try:
        if kind in (int, "int"):
            return int(raw)
        if kind in (float, "float"):
            return float(raw)
        if kind in (Path, "Path"):
            return Path(raw)
    except ValueError as exc:
        raise ValueError(f"TWINGRAPH_{name.upper()}={raw!r} is not a valid {kind}") from exc
    return raw


def load_settings(overrides: dict[str, Any] | None = None, environ: dict[str, str] | None = None) -> Settings:
    """Build Settings from defaults, then ``TWINGRAPH_*`` variables, then explicit overrides.

    >>> load_settings({"port": 9000}, environ={}).port
    9000
    >>> load_settings(environ={"TWINGRAPH_QUERY_TIMEOUT": "2.5"}).query_timeout
    2.5
    """
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for f in dataclasses.fields(Settings):
        raw = env.get(f"TWINGRAPH_{f.name.upper()}")
        if raw is not None and raw != "":
            values[f.name] = _convert(f.type, raw, f.name)
    values.update({k: v for k, v in (overrides or {}).items() if v is not None})
    settings = Settings(**values)
    if not settings.base_iri.endswith(("/", "#")):
        raise ValueError(f"base IRI must end with '/' or '#': {settings.base_iri!r}")
    if settings.store not in ("embedded", "remote"):
        raise ValueError(f"store must be 'embedded' or 'remote', not {settings.store!r}")
    return settings
