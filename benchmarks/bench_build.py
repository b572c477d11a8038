"""`twingraph build` stage by stage (wall time, peak memory), beside rdflib and pySHACL on the same data.

    .venv/bin/python benchmarks/bench_build.py                         # world and 1M
    .venv/bin/python benchmarks/bench_build.py --size world --pyshacl  # also pySHACL on the same graph
    .venv/bin/python benchmarks/bench_build.py --quick                 # smoke: 10k triples

Each build runs in a fresh interpreter (so that peak memory is that build's alone) into a scratch
dist folder (a first release: no earlier release to compare with). The build reports every stage
end; the child records the stage's seconds and the process's peak resident memory so far
(``resource.getrusage``: ``ru_maxrss`` only grows, so a stage's figure is the peak up to its end).

Peers on the same release, also in fresh interpreters: rdflib parsing ``twingraph.trig`` and
writing Turtle (pyoxigraph does both in the build's load and dumps stages), and, with ``--pyshacl``,
pySHACL 0.40.1 validating the same graph with the same shapes (the validator the build used before
it switched; its report is compared with the build's validator, result by result).
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common


def _peak() -> int:
    """Peak resident memory of this process so far, bytes (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class Recorder:
    """A build Progress that records (stage, seconds, peak bytes) at each stage end."""

    def __init__(self) -> None:
        self.stages: list[tuple[str, float, int]] = []

    def stage(self, name: str, total: int) -> None:
        """A stage starts."""

    def step(self, item: str) -> None:
        """A step of the stage is done."""

    def done(self, name: str, seconds: float, detail: str) -> None:
        """Record the stage."""
        self.stages.append((name, seconds, _peak()))


def child_build(dist: Path) -> None:
    """Build into ``dist`` in this process; print the stages as JSON."""
    from twingraph.build import build_release
    from twingraph.config import load_settings

    settings = load_settings({"dist_dir": dist})
    recorder = Recorder()
    started = time.perf_counter()
    result = build_release(settings, progress=recorder)
    print(
        json.dumps(
            {
                "stages": recorder.stages,
                "seconds": time.perf_counter() - started,
                "peak": _peak(),
                "triples": result.triples,
            }
        )
    )


def child_rdflib(trig: Path) -> None:
    """Parse the TriG dump with rdflib and write Turtle; print both times."""
    import rdflib

    started = time.perf_counter()
    dataset = rdflib.Dataset()
    dataset.parse(trig, format="trig")
    parsed = time.perf_counter() - started
    started = time.perf_counter()
    graph = rdflib.Graph()
    for s, p, o, _g in dataset.quads():
        graph.add((s, p, o))
    graph.serialize(format="turtle")
    print(json.dumps({"parse": parsed, "turtle": time.perf_counter() - started, "peak": _peak()}))


def child_pyshacl() -> None:
    """Load the graph as the build does; validate it with pySHACL 0.40.1 and with the build's engine."""
    from twingraph import validate as v
    from twingraph.config import load_settings
    from twingraph.load import load_graph

    settings = load_settings()
    loaded = load_graph(settings)
    shapes = v.load_shapes(settings)
    started = time.perf_counter()
    old = v.validate_graph(v.union_graph(loaded.store), shapes, settings.base_iri, engine="pyshacl")
    pyshacl_seconds = time.perf_counter() - started
    started = time.perf_counter()
    new = v.validate(loaded, settings)
    ours = time.perf_counter() - started
    same = sorted(old.format_text().splitlines()) == sorted(new.format_text().splitlines())
    print(
        json.dumps(
            {
                "pyshacl": pyshacl_seconds,
                "ours": ours,
                "results": [len(old.results), len(new.results)],
                "same": same and old.conforms == new.conforms,
                "conforms": [old.conforms, new.conforms],
            }
        )
    )


def run_child(rel: common.Release, *args: str) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", *args]
    done = subprocess.run(command, env=rel.env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr[-4000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def print_peers(stages: dict[str, float], peer: dict[str, Any]) -> None:
    """rdflib beside the build's pyoxigraph stages."""
    print("\nPeers on the same release (fresh interpreters):\n")
    print(
        common.table(
            ["task", "twingraph (pyoxigraph)", "rdflib", "speed-up"],
            [
                [
                    "parse the TriG dump (build: whole load stage incl. rules)",
                    stages["load"],
                    peer["parse"],
                    common.ratio(float(peer["parse"]), stages["load"]),
                ],
                [
                    "write Turtle (build: all 9 dumps)",
                    stages["dumps"],
                    peer["turtle"],
                    common.ratio(float(peer["turtle"]), stages["dumps"]),
                ],
            ],
        )
    )


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        kind, *rest = sys.argv[2:]
        {
            "build": lambda: child_build(Path(rest[0])),
            "rdflib": lambda: child_rdflib(Path(rest[0])),
            "pyshacl": child_pyshacl,
        }[kind]()
        return
    parser = common.arguments(__doc__.splitlines()[0], sizes="world,1M")
    parser.add_argument("--pyshacl", action="store_true", help="also validate with pySHACL 0.40.1 (slow)")
    parser.add_argument("--no-rdflib", action="store_true", help="leave out the rdflib parse/write peer")
    args = common.settle(parser.parse_args())
    for size in args.size.split(","):
        rel = common.release(args.work, size)
        dist = rel.folder / "bench-build-dist"
        shutil.rmtree(dist, ignore_errors=True)
        common.say(f"{size}: twingraph build ...")
        build = run_child(rel, "build", str(dist))
        shutil.rmtree(dist, ignore_errors=True)
        peer = None
        if not args.no_rdflib:
            common.say(f"{size}: rdflib parse + Turtle ...")
            peer = run_child(rel, "rdflib", str(rel.latest / "twingraph.trig"))
        rows: list[list[object]] = [
            [name, seconds, common.megabytes(peak)] for name, seconds, peak in build["stages"]
        ]
        rows.append(["total", build["seconds"], common.megabytes(int(build["peak"]))])
        print(f"\n## twingraph build: {size} ({build['triples']:,} distinct triples)\n")
        print(common.table(["stage", "seconds", "peak RSS MiB (so far)"], rows))
        total = float(build["seconds"])
        print(f"\ntarget: under 60 s incl. validation: {'met' if total < 60 else 'MISSED'} ({total:.1f} s)")
        stages = {name: seconds for name, seconds, _ in build["stages"]}
        if peer is not None:
            print_peers(stages, peer)
        if args.pyshacl:
            common.say(f"{size}: pySHACL 0.40.1 and the build's validator on the same graph ...")
            check = run_child(rel, "pyshacl")
            print("\nValidation, same graph and shapes:\n")
            print(
                common.table(
                    ["validator", "seconds", "results", "conforms"],
                    [
                        [
                            "pySHACL 0.40.1",
                            check["pyshacl"],
                            check["results"][0],
                            check["conforms"][0],
                        ],
                        [
                            "pyshacl-turbo (the build's)",
                            check["ours"],
                            check["results"][1],
                            check["conforms"][1],
                        ],
                    ],
                )
            )
            speed = float(check["pyshacl"]) / float(check["ours"])
            print(f"\nspeed-up {speed:.2f}x (target 1.5x), same results: {check['same']}")


if __name__ == "__main__":
    main()
