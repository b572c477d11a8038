"""A version names one content: the newcomer sequence, development releases and explicit publishing.

From a clean copy of the project: build, change a data file, build again. Neither build stops; each
writes a development release named by the fingerprint of its inputs, served and marked unpublished.
Publishing is explicit (``twingraph publish``), records the fingerprint in the catalogue, and a
plain build with the same inputs then serves the published version.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from twingraph.cli import main
from twingraph.config import Settings
from twingraph.publish.versioning import PUBLISHED, UNPUBLISHED, input_fingerprint

TG = "https://w3id.org/twingraph/ontology#"
ADMS_STATUS = "http://www.w3.org/ns/adms#status"


@pytest.fixture()
def project(settings: Settings, tmp_path: Path) -> Settings:
    for name in ("ontology", "shapes", "data"):
        shutil.copytree(settings.project_dir / name, tmp_path / name)
    (tmp_path / "imports").mkdir()
    return dataclasses.replace(
        settings, project_dir=tmp_path, dist_dir=tmp_path / "dist", imports_dir=tmp_path / "imports"
    )


def _cli(project: Settings, *args: str) -> tuple[int, str]:
    env = {
        "TWINGRAPH_PROJECT_DIR": str(project.project_dir),
        "TWINGRAPH_DIST_DIR": str(project.dist_dir),
        "TWINGRAPH_IMPORTS_DIR": str(project.imports_dir),
    }
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.output


def _latest(project: Settings) -> str:
    return os.readlink(project.dist_dir / "latest")


def _catalogue(project: Settings, version: str) -> dict[str, str]:
    triples = ox.parse(path=str(project.dist_dir / version / "catalog.ttl"), format=ox.RdfFormat.TURTLE)
    wanted = {TG + "inputFingerprint": "fingerprint", ADMS_STATUS: "status"}
    return {wanted[t.predicate.value]: t.object.value for t in triples if t.predicate.value in wanted}


def _home(project: Settings) -> str:
    from twingraph.web import create_app

    app = create_app(project)
    app.config["TESTING"] = True
    return app.test_client().get("/?lang=en").get_data(as_text=True)


def test_the_newcomer_sequence_never_stops_and_serves_a_development_release(project: Settings) -> None:
    code, output = _cli(project, "build")
    assert code == 0, output
    first = _latest(project)
    fingerprint = input_fingerprint(project)
    assert first == f"0.1.0+{fingerprint[:12]}"
    assert "development release (unpublished) 0.1.0+" in output
    assert _catalogue(project, first) == {"fingerprint": fingerprint, "status": UNPUBLISHED}

    # Change a data file (an organisation's English label) and build again: no error, a new content.
    organisations = project.data_dir / "organisations.trig"
    text = organisations.read_text(encoding="utf-8")
    organisations.write_text(text.replace('"Bundestag"@en', '"German Bundestag"@en'), encoding="utf-8")
    code, output = _cli(project, "build")
    assert code == 0, output
    second = _latest(project)
    assert second != first and second.startswith("0.1.0+")
    assert (project.dist_dir / first / "SHA256SUMS").is_file(), "the earlier build is kept as it was"
    assert _catalogue(project, second)["fingerprint"] == input_fingerprint(project)
    page = _home(dataclasses.replace(project, release="latest"))
    assert "Unpublished development release" in page and second in page
    # Its downloads are listed under its own version (the "+" stays in the path).
    from twingraph.web import create_app

    app = create_app(project)
    listing = app.test_client().get(f"/dumps/{second}/index.json")
    assert listing.status_code == 200, listing.get_data(as_text=True)
    assert app.test_client().get(f"/dumps/{second}/catalog.ttl").status_code == 200

    # Building again with the same inputs reuses that release.
    before = (project.dist_dir / second / "SHA256SUMS").stat().st_mtime_ns
    code, output = _cli(project, "build")
    assert code == 0 and "unchanged" in output, output
    assert _latest(project) == second
    assert (project.dist_dir / second / "SHA256SUMS").stat().st_mtime_ns == before


def test_publishing_is_explicit_and_a_published_version_keeps_its_content(project: Settings) -> None:
    code, output = _cli(project, "publish")
    assert code == 0, output
    assert _latest(project) == "0.1.0"
    assert _catalogue(project, "0.1.0") == {"fingerprint": input_fingerprint(project), "status": PUBLISHED}
    assert "Unpublished development release" not in _home(project)
    # A plain build with the published inputs serves the published version.
    code, output = _cli(project, "build")
    assert code == 0 and _latest(project) == "0.1.0", output
    # New input without a new version: a plain build makes a development release beside it ...
    (project.imports_dir / "extra.trig").write_text(
        "GRAPH <id/source/research-notes> { <id/source/research-notes> <ontology#note> "
        '"An extra note, to change the input."@en . }\n',
        encoding="utf-8",
    )
    code, output = _cli(project, "build")
    assert code == 0, output
    assert _latest(project).startswith("0.1.0+")
    # ... and publishing it under the published version is refused, in one line, until replaced.
    sums = (project.dist_dir / "0.1.0" / "SHA256SUMS").read_bytes()
    code, output = _cli(project, "build", "--publish")
    (error,) = [line for line in output.splitlines() if line.startswith("error:")]
    assert code == 2 and "release 0.1.0 is published" in error
    assert (project.dist_dir / "0.1.0" / "SHA256SUMS").read_bytes() == sums


def test_dataset_toml_cannot_name_a_development_version(project: Settings) -> None:
    path = project.data_dir / "dataset.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace('version = "0.1.0"', 'version = "0.1.0+abc"'),
        encoding="utf-8",
    )
    code, output = _cli(project, "build")
    assert code == 2 and "build metadata" in output


def test_only_the_newest_development_releases_are_kept(tmp_path: Path) -> None:
    import time

    from twingraph.publish.versioning import prune_development_releases

    names = ["0.1.0", "0.1.0+aaaaaaaaaaaa", "0.1.0+bbbbbbbbbbbb", "0.1.0+cccccccccccc", "0.1.0+dddddddddddd"]
    for name in names:
        (tmp_path / name).mkdir()
        (tmp_path / name / "SHA256SUMS").write_text("", encoding="utf-8")
        time.sleep(0.01)
    removed = prune_development_releases(tmp_path, current="0.1.0+aaaaaaaaaaaa", keep=2)
    assert removed == ["0.1.0+bbbbbbbbbbbb"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "0.1.0",
        "0.1.0+aaaaaaaaaaaa",
        "0.1.0+cccccccccccc",
        "0.1.0+dddddddddddd",
    ]
