"""Importers: turn an external dataset into a generated TriG file under ``imports/``.

An import is a build input beside ``data/`` (``twingraph.load.import_files``), never edited by
hand: it is written again, byte for byte the same, from the same input. It uses relative IRIs
like the curated files, so it does not depend on the configured base IRI.
"""
