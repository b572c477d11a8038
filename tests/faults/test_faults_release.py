"""A partial or corrupted release on disk: `twingraph serve` refuses to start on it with one clear line
(exit code 2), and a running server, or /dumps/, keeps serving the good release beside it."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from support.hardening import check_answer
from support.ports import free_port
from support.servers import serve_command, server_environment, twingraph_server
from twingraph.config import Settings
from twingraph.publish.checksums import write_sums
from twingraph.release import resolve_release

pytestmark = pytest.mark.server


def copy_dist(release_settings: Settings, tmp_path: Path) -> tuple[Settings, Path]:
    """A private copy of the test release (dist/<version> and dist/latest), with its own database cache."""
    source = resolve_release(release_settings)
    dist = tmp_path / "dist"
    shutil.copytree(source, dist / source.name)
    (dist / "latest").symlink_to(source.name)
    copied = dataclasses.replace(release_settings, dist_dir=dist, store_cache_dir=str(tmp_path / "cache"))
    return copied, dist / source.name


def flip_a_byte(folder: Path) -> None:
    dump = folder / "twingraph.trig"
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0x20
    dump.write_bytes(bytes(data))


def truncate_and_resum(folder: Path) -> None:
    """A broken build that checksummed its own garbage: the digests match, the dump does not parse."""
    dump = folder / "twingraph.trig"
    dump.write_bytes(dump.read_bytes()[: dump.stat().st_size // 3] + b" <broken")
    write_sums(folder)


DAMAGE: dict[str, tuple[Callable[[Path], None], str]] = {
    "flipped byte": (flip_a_byte, "is corrupt: twingraph.trig does not match its SHA-256 in SHA256SUMS"),
    "no SHA256SUMS": (lambda f: (f / "SHA256SUMS").unlink(), "is partial: SHA256SUMS is missing"),
    "lost file": (lambda f: (f / "cities.csv").unlink(), "is partial: cities.csv is missing"),
    "no dump": (lambda f: (f / "twingraph.trig").unlink(), "is incomplete: twingraph.trig is missing"),
    "unparsable dump": (truncate_and_resum, "cannot be loaded:"),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_serve_refuses_a_damaged_release(release_settings: Settings, tmp_path: Path, damage: str) -> None:
    settings, folder = copy_dist(release_settings, tmp_path)
    harm, expected = DAMAGE[damage]
    harm(folder)
    port = free_port()
    done = subprocess.run(
        serve_command(port, 1),
        env=server_environment(settings),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: release"), done.stderr
    assert expected in lines[0]
    assert "Traceback" not in done.stderr + done.stdout
    assert "Listening" not in done.stdout + done.stderr, "no worker was started"


def test_a_running_server_keeps_serving_when_a_broken_release_appears(
    release_settings: Settings, tmp_path: Path
) -> None:
    """A newer release that is partial on disk (an interrupted copy) and `latest` moved to it: the
    running server goes on serving its release, and /dumps/ lists and serves the good one only."""
    settings, folder = copy_dist(release_settings, tmp_path)
    with twingraph_server(settings, tmp_path / "server.log") as server:
        broken = folder.parent / "9.0.0"
        shutil.copytree(folder, broken)
        (broken / "twingraph.ttl").unlink()
        latest = folder.parent / "latest"
        latest.unlink()
        latest.symlink_to("9.0.0")
        import httpx

        with httpx.Client(base_url=server.url, timeout=10) as client:
            health = client.get("/health").json()
            assert health["status"] == "ok" and health["release"] == folder.name
            page = client.get("/doc/city/amiens", headers={"Accept": "text/turtle"})
            assert page.status_code == 200 and "Amiens" in page.text
            listing = client.get("/dumps/index.json")
            assert listing.status_code == 200
            assert [r["version"] for r in listing.json()["releases"]] == [folder.name]
            for path in ("/dumps/9.0.0/", "/dumps/9.0.0/cities.csv"):
                answer = client.get(path, headers={"Accept": "application/json"})
                assert answer.status_code == 404 and "incomplete" in answer.json()["message"]
                check_answer(answer.status_code, answer.headers, answer.content, path)
            newest = client.get("/dumps/latest/twingraph.ttl", follow_redirects=True)
            assert newest.status_code == 200 and newest.url.path == f"/dumps/{folder.name}/twingraph.ttl"
