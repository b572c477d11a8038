"""The app's shared per-client ledger (sparql/ledger.py), in the server's run folder.

``twingraph serve`` makes one run folder for all its worker processes (serve.py), so they count each
client once; an app made on its own (tests, a WSGI server of one's choice) without ``run_dir`` gets a
private temporary folder, removed when the process exits.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

from flask import Flask

from twingraph.sparql.ledger import ClientLedger
from twingraph.web import SETTINGS_KEY

LEDGER_KEY = "twingraph.clients"


def app_ledger(app: Flask) -> ClientLedger:
    """The ledger of ``app``, opened on first use."""
    ledger: ClientLedger | None = app.extensions.get(LEDGER_KEY)
    if ledger is None:
        folder = app.extensions[SETTINGS_KEY].run_dir
        if not folder:
            folder = tempfile.mkdtemp(prefix="twingraph-run-")
            atexit.register(shutil.rmtree, folder, True)
        ledger = app.extensions[LEDGER_KEY] = ClientLedger(Path(folder))
    return ledger
