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

# The checkout the package was installed from: the project folder when no other is found.
PROJECT_DIR = Path(__file__).resolve().parents[2]
# A project folder is one that holds this file (a second checkout, another city's folder).
PROJECT_MARKER = Path("data") / "dataset.toml"


def _setting(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    """Configuration of a twingraph instance. Build one with :func:`load_settings`."""

    base_iri: str = _setting(
        "https://w3id.org/twingraph/",
        "Base IRI of every published resource; data files use relative IRIs resolved against it.",
    )
    project_dir: Path = _setting(
        PROJECT_DIR,
        "Folder holding ontology/, shapes/ and data/ (unset: the nearest folder at or above the working "
        "directory holding data/dataset.toml).",
    )
    dist_dir: Path = _setting(PROJECT_DIR / "dist", "Folder that holds the releases (dist/<version>/).")
    imports_dir: Path = _setting(
        PROJECT_DIR / "imports",
        "Folder of generated imports (twingraph import ...); every *.trig in it is loaded with data/.",
    )
    release: str = _setting("latest", "Release to serve: a version folder name under dist_dir, or 'latest'.")
    releases_open: int = _setting(
        3, "Most releases open at once under /releases/<version>/ (least recently used closed first)."
    )
    run_dir: Path = _setting(
        PROJECT_DIR / "run",
        "Folder for what the server writes and keeps: the query permalinks (permalinks.sqlite).",
    )
    host: str = _setting("127.0.0.1", "Interface the server listens on.")
    port: int = _setting(8080, "Port the server listens on.")
    workers: int = _setting(2, "Number of server worker processes.")
    threads: int = _setting(
        8,
        "Threads per server worker process that run requests; most requests wait on a query process or "
        "on the client, so more threads than cores.",
    )
    access_log: int = _setting(
        1,
        "1: the server writes a line per request to its log (Granian's format, written in batches "
        "every quarter second); 0: none, e.g. behind nginx, which logs them.",
    )
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
    query_workers: int = _setting(
        3,
        "Worker processes per server worker process that run SPARQL queries for the embedded store (the "
        "fast lane); keep it above client_queries, so that one client never holds them all.",
    )
    query_memory_mb: int = _setting(
        2048, "Memory (MiB) one SPARQL query worker may allocate; a query needing more is stopped."
    )
    rate_limit: int = _setting(
        600, "Requests per minute one client may make to /sparql and /reconcile (counted across workers)."
    )
    client_queries: int = _setting(
        2, "SPARQL queries one client may have running at once; 429 with Retry-After beyond."
    )
    client_query_seconds: float = _setting(
        30.0, "Seconds of SPARQL query time one client may use per minute; 429 with Retry-After beyond."
    )
    fast_lane_seconds: float = _setting(
        0.5,
        "A SPARQL query still running after this many seconds leaves the fast lane for the slow lane "
        "(embedded store; 0: one lane).",
    )
    slow_queries: int = _setting(
        4,
        "Long SPARQL queries (past the fast lane) running at once per server worker process, at idle "
        "CPU priority; 503 beyond.",
    )
    client_slow_queries: int = _setting(
        1, "Long SPARQL queries (past the fast lane) one client may have running at once; 429 beyond."
    )
    ledger_dir: str = _setting(
        "",
        "Folder of the state the server's processes share (per-client counters, a SQLite file); empty: a "
        "new temporary folder per 'twingraph serve'.",
    )
    max_request_bytes: int = _setting(1_000_000, "Largest request body accepted (413 beyond).")
    header_timeout: float = _setting(
        10.0, "Seconds a client has to send a request's headers; its connection is closed after (slowloris)."
    )
    cache_entries: int = _setting(2048, "Bounded result cache size (entries), keyed by release and query.")
    cache_max_bytes: int = _setting(
        64_000_000, "Most bytes the SPARQL result cache holds in all; least recently used answers go first."
    )
    page_cache_bytes: int = _setting(
        64_000_000,
        "Most bytes of rendered /doc, /ontology and /shapes answers one server process keeps (per release; "
        "least recently used go first; 0: none).",
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


def find_project_dir(start: Path, fallback: Path = PROJECT_DIR) -> Path:
    """The nearest folder at or above ``start`` holding ``data/dataset.toml``; ``fallback`` if none does.

    >>> find_project_dir(Path("/"), fallback=Path("/installed"))
    PosixPath('/installed')
    """
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / PROJECT_MARKER).is_file():
            return folder
    return fallback


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


def load_settings(
    overrides: dict[str, Any] | None = None, environ: dict[str, str] | None = None, cwd: Path | None = None
) -> Settings:
    """Build Settings from defaults, then ``TWINGRAPH_*`` variables, then explicit overrides.

    The project folder, unless set, is found from the working directory ``cwd`` (default: the current
    one) with :func:`find_project_dir`; ``dist/`` and ``imports/`` lie in it unless they are set too.

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
    if "project_dir" not in values:
        values["project_dir"] = find_project_dir(Path.cwd() if cwd is None else cwd)
    project = Path(values["project_dir"])
    values.setdefault("dist_dir", project / "dist")
    values.setdefault("imports_dir", project / "imports")
    settings = Settings(**values)
    if not settings.base_iri.endswith(("/", "#")):
        raise ValueError(f"base IRI must end with '/' or '#': {settings.base_iri!r}")
    if settings.store not in ("embedded", "remote"):
        raise ValueError(f"store must be 'embedded' or 'remote', not {settings.store!r}")
    return settings
