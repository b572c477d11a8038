"""Every release served side by side: the registry of releases, Memento, the change feed, citation.

Releases in ``dist/<version>/`` are immutable, so everything here is derived from the files of the
releases themselves (catalogue, ``changes.ttl``, ``SHA256SUMS``) and cached without invalidation.
"""
