"""Writers of a release's files: RDF dumps, CSV tables, catalogue, changes and checksums.

Every writer is deterministic: the same graph gives the same bytes (sorted output, no blank
nodes, no timestamps but the release date), so that a rebuild can be compared byte for byte.
"""
