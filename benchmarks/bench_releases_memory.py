"""Memory of ``twingraph serve`` with many releases on disk, every one of them visited.

Usage: ``python benchmarks/bench_releases_memory.py DIST [--open N ...]``. Starts the production
server (Granian, one worker) on 127.0.0.1 over ``DIST``, visits each release's home page, a
resource and its SPARQL endpoint (which starts its query worker processes), and prints the resident
memory (RSS, summed over the server's whole process tree: workers and query processes) beside the
peer: the same server serving the newest release alone (a page and a SPARQL query answered),
before any /releases/ request.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def tree_rss_mib(root: int) -> float:
    """RSS of ``root`` and all its descendants, in MiB (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=60) as answer:
        answer.read()
        return int(answer.status)


def measure(dist: Path, releases_open: int, port: int) -> tuple[float, float, int]:
    """(RSS at start, RSS after visiting every release, releases visited)."""
    env = {
        **os.environ,
        "TWINGRAPH_DIST_DIR": str(dist),
        "TWINGRAPH_RELEASES_OPEN": str(releases_open),
        "TWINGRAPH_STORE_CACHE_DIR": str(dist.parent / "store-cache"),
    }
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "twingraph"), "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                get(base + "/health")
                break
            except OSError:
                time.sleep(0.2)
        get(base + "/doc/city/amiens")
        get(base + "/sparql?query=" + urllib.parse.quote(QUERY))
        start = tree_rss_mib(server.pid)
        versions = [p.name for p in dist.iterdir() if p.is_dir() and not p.is_symlink()]
        for version in versions:
            root = f"{base}/releases/{version}"
            get(root + "/")
            get(root + "/doc/city/amiens")
            get(root + "/sparql?query=" + urllib.parse.quote(QUERY))
        time.sleep(1)
        return start, tree_rss_mib(server.pid), len(versions)
    finally:
        server.terminate()
        server.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dist", type=Path)
    parser.add_argument("--open", type=int, nargs="+", default=[3, 10])
    parser.add_argument("--port", type=int, default=18931)
    args = parser.parse_args()
    print("releases_open | releases visited | RSS at start (newest only) MiB | RSS after visiting all MiB")
    for n in args.open:
        start, after, visited = measure(args.dist, n, args.port)
        print(f"{n} | {visited} | {start:.0f} | {after:.0f}")


if __name__ == "__main__":
    main()
