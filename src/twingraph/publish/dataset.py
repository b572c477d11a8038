"""What ``data/dataset.toml`` says about the release to build: version, date and the catalogue's texts.

The file is written by the data curator; the build reads it to name the release it writes (the server
never reads it: what a release is lives in the release itself).
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from twingraph.config import Settings
from twingraph.load import DataError
from twingraph.release import is_version

DATASET_FILE = "dataset.toml"


@dataclass(frozen=True)
class DatasetInfo:
    """What ``data/dataset.toml`` says: version, release date and the catalogue's texts."""

    version: str
    date: dt.date
    title: dict[str, str]
    description: dict[str, str]
    license: str
    publisher: str
    publisher_url: str = ""


def _texts(value: Any, key: str, where: Path) -> dict[str, str]:
    if isinstance(value, str) and value.strip():
        return {"en": value.strip()}
    if isinstance(value, dict) and value and all(isinstance(v, str) and v.strip() for v in value.values()):
        return {str(lang): str(text).strip() for lang, text in sorted(value.items())}
    raise DataError(f"{where}: '{key}' must be a text or a table of texts by language (en = \"...\")")


def read_dataset_info(settings: Settings) -> DatasetInfo:
    """Read and check ``data/dataset.toml``; raise DataError naming the file and the key at fault."""
    path = settings.data_dir / DATASET_FILE
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise DataError(f"{path}: missing (it gives the release's version, date, title, licence)") from exc
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"{path}: {exc}") from exc
    for key in ("version", "date", "title", "description", "license", "publisher"):
        if key not in raw:
            raise DataError(f"{path}: key '{key}' is missing")
    version = raw["version"]
    if not isinstance(version, str) or not is_version(version):
        raise DataError(f'{path}: version {version!r} is not a semantic version like "1.2.0"')
    date = raw["date"]
    if isinstance(date, str):
        try:
            date = dt.date.fromisoformat(date)
        except ValueError as exc:
            raise DataError(f'{path}: date {raw["date"]!r} is not a date like "2026-11-25"') from exc
    if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
        raise DataError(f"{path}: date {date!r} is not a date like 2026-11-25 (no time of day)")
    license_iri = raw["license"]
    if not isinstance(license_iri, str) or not license_iri.startswith(("http://", "https://")):
        raise DataError(f"{path}: license {license_iri!r} must be the IRI of the licence document")
    publisher, publisher_url = raw["publisher"], ""
    if isinstance(publisher, dict):
        publisher_url = str(publisher.get("url", ""))
        publisher = publisher.get("name", "")
    if not isinstance(publisher, str) or not publisher.strip():
        raise DataError(f"{path}: publisher must be a name, or a table with name (and url)")
    if publisher_url and not publisher_url.startswith(("http://", "https://")):
        raise DataError(f"{path}: publisher url {publisher_url!r} must be an http(s) IRI")
    return DatasetInfo(
        version=version,
        date=date,
        title=_texts(raw["title"], "title", path),
        description=_texts(raw["description"], "description", path),
        license=license_iri,
        publisher=publisher.strip(),
        publisher_url=publisher_url,
    )
