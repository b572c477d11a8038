"""How to cite a release: a citation line and the schema.org ``Dataset`` of its landing page.

The newest release is cited by the dataset's base IRI, an older one by ``<base>releases/<version>/``
(its landing page here); both name the version and the date the catalogue gives, so a citation
leads back to exactly the data that was cited.
"""

from __future__ import annotations

from typing import Any

from flask import request

from twingraph.versions.registry import Release
from twingraph.web.release_apps import get_versions, mounted_release
from twingraph.web.signposting import ITEMS


def cite_iri(release: Release, base_iri: str, newest: bool) -> str:
    """The persistent IRI to cite for a release."""
    return base_iri if newest else f"{base_iri}releases/{release.version}/"


def citation_line(release: Release, iri: str) -> str:
    """One line to cite a release with: publisher, year, title, version, date and IRI.

    >>> import datetime as dt, pathlib
    >>> r = Release("0.2.0", pathlib.Path("."), dt.datetime(2026, 12, 1, tzinfo=dt.UTC), "", "Twins", "tg")
    >>> citation_line(r, "https://w3id.org/twingraph/releases/0.2.0/")
    'tg (2026). Twins, version 0.2.0 [Data set], released 2026-12-01. https://w3id.org/twingraph/releases/0.2.0/'
    """
    who = f"{release.publisher} " if release.publisher else ""
    title = release.title or "twingraph"
    day = release.issued.date().isoformat()
    return (
        f"{who}({release.issued.year}). {title}, version {release.version} [Data set], released {day}. {iri}"
    )


def landing_release() -> tuple[Release, bool] | None:
    """The release whose landing page this request shows, and whether it is the newest."""
    state = get_versions()
    newest = state.registry.newest()
    release = mounted_release() or newest
    if release is None:
        return None
    return release, newest is not None and release.version == newest.version and mounted_release() is None


def dataset_jsonld(description: str, language: str) -> dict[str, Any] | None:
    """schema.org ``Dataset`` of the landing page (None when no release is on disk, e.g. a bare store)."""
    found = landing_release()
    if found is None:
        return None
    release, newest = found
    base = get_versions().settings.base_iri
    host = request.host_url.rstrip("/")
    iri = cite_iri(release, base, newest)
    dataset: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": iri,
        "identifier": iri,
        "name": release.title or "twingraph",
        "description": description,
        "inLanguage": language,
        "version": release.version,
        "datePublished": release.issued.date().isoformat(),
        "url": f"{host}{request.script_root}/",
        "creditText": citation_line(release, iri),
        "isAccessibleForFree": True,
        "distribution": [
            {
                "@type": "DataDownload",
                "contentUrl": f"{host}/dumps/{release.version}/{name}",
                "encodingFormat": media,
            }
            for name, media in ITEMS
            if (release.folder / name).is_file()
        ],
    }
    if release.license:
        dataset["license"] = release.license
    if release.publisher:
        dataset["publisher"] = {"@type": "Organization", "name": release.publisher}
    if not newest:
        dataset["isPartOf"] = {"@id": base, "@type": "Dataset", "url": f"{host}/"}
    return dataset
