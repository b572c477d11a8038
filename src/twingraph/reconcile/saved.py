"""The matching index saved beside the release's database, so that a fresh server worker reads it
instead of building it.

Building the index reads every name of the release from the store (3 to 4 s on the world graph);
reading it back from a pickle takes a fraction of that. ``twingraph serve`` builds and saves it once
per release before its workers start (serve.py), and each worker reads it before it answers its first
request, so that its first reconciliation answer does not wait for a build.

The file sits in the embedded store's cache folder (``store_cache_dir``), which holds the release's
database already and is as trusted as it: written by this program only, atomically (a temporary file
renamed into place). Its name holds the release's fingerprint and a digest of the code and queries
that build the index, so a new release or changed matching code never reads an old index.
"""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path

from twingraph.atomic_file import read_or_make, write_atomically
from twingraph.gc_pause import collection_paused
from twingraph.reconcile.index import ReconIndex, build_index
from twingraph.store import Store
from twingraph.store.database import cache_root

SUFFIX = ".reconcile-index"
_SOURCES = ("index.py", "catalogue.py")


def code_digest() -> str:
    """A short digest of what decides the index's content: its building code and its queries."""
    digest = hashlib.sha256()
    here = Path(__file__).parent
    files = [here / name for name in _SOURCES]
    files += [here.parent / "names.py", here.parent / "namespaces.py"]
    files += sorted((here.parent / "queries" / "reconcile").glob("*.rq"))
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def index_path(store: Store, cache_dir: str | Path | None) -> Path:
    """Where the index of ``store``'s release is saved."""
    return cache_root(cache_dir) / f"{store.fingerprint}.{code_digest()}{SUFFIX}"


def read_index(path: Path) -> ReconIndex | None:
    """The index saved at ``path``, or None when there is none (or it cannot be read)."""
    try:
        with path.open("rb") as saved, collection_paused():
            index = pickle.load(saved)  # our own file in our own cache folder (see above)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        return None
    return index if isinstance(index, ReconIndex) else None


def write_index(index: ReconIndex, path: Path) -> None:
    """Save ``index`` at ``path`` atomically (another process may be reading or writing it too)."""
    write_atomically(path, lambda out: pickle.dump(index, out, protocol=pickle.HIGHEST_PROTOCOL), binary=True)


def saved_index(store: Store, base_iri: str, cache_dir: str | Path | None) -> ReconIndex:
    """The release's index: read from the cache folder when saved there, else built and saved."""
    path = index_path(store, cache_dir)
    return read_or_make(path, read_index, lambda: build_index(store, base_iri), write_index)


def save_configured() -> None:
    """Build and save the index of the release the environment's settings name (``twingraph serve``
    runs this in a fresh interpreter before its workers start, see serve.py)."""
    from twingraph.config import load_settings
    from twingraph.store import open_store

    settings = load_settings()
    store = open_store(settings)
    try:
        saved_index(store, settings.base_iri, settings.store_cache_dir or None)
    finally:
        store.close()
