"""`twingraph build` stage by stage (wall time, peak memory), beside rdflib and pySHACL on the same data.

    .venv/bin/python benchmarks/bench_build.py                         # world and 1M
    .venv/bin/python benchmarks/bench_build.py --size world --pyshacl  # also pySHACL on the same graph
    .venv/bin/python benchmarks/bench_build.py --size 10M --no-rdflib  # 10M: time and peak memory
    .venv/bin/python benchmarks/bench_build.py --size 10M --ceiling 21 # stop the build at 21 GiB
    .venv/bin/python benchmarks/bench_build.py --size 1M --profile /tmp/build.svg  # py-spy flame graph
    .venv/bin/python benchmarks/bench_build.py --quick                 # smoke: 10k triples

Each build runs in a fresh interpreter (so that peak memory is that build's alone) into a scratch
dist folder (a first release: no earlier release to compare with); only the imports are prepared
beforehand (generated or imported), so the build measured is the only one. The build reports every
stage end; the child records the stage's seconds and its own peak resident memory so far
(``resource.getrusage``: ``ru_maxrss`` only grows, so a stage's figure is the peak up to its end).
The build writes its dumps in worker processes: the parent samples the resident memory of the whole
process tree (the build and its workers, summed) every 0.2 s, and that peak is the one the target
is checked against. With ``--ceiling GIB`` the parent stops the build (SIGKILL to the whole tree)
when that sum passes GIB, and reports the stages done, the time and the memory at the stop: a build
that does not fit reports where it ran out instead of taking the machine down with it (the machine
has no swap; the kernel's OOM killer would pick a process of its own choosing).

Peers on the same release, also in fresh interpreters: rdflib parsing ``twingraph.trig`` and
writing Turtle (pyoxigraph does both in the build's load and dumps stages), and, with ``--pyshacl``,
pySHACL 0.40.1 validating the same graph with the same shapes (the validator the build used before
it switched; its report is compared with the build's validator, result by result).
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common
import targets

GIB = 1 << 30
TARGET_SECONDS, TARGET_PEAK = 120.0, 4 * GIB  # issue 17, at 1M generated triples


def _peak() -> int:
    """Peak resident memory of this process so far, bytes (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _cpu(who: int = resource.RUSAGE_SELF) -> float:
    """CPU seconds (user + system) of this process so far, or (``RUSAGE_CHILDREN``) of its ended
    worker processes: on a machine shared with other work, these carry over where wall seconds do not.
    The workers end when the build closes its pool, so their time is counted once, at the end, not
    under the stage that happens to be running then."""
    used = resource.getrusage(who)
    return used.ru_utime + used.ru_stime


def _load_average() -> str:
    """The machine's 1-minute load average: the other work sharing the cores during a run."""
    return f"{os.getloadavg()[0]:.1f}"


class Recorder:
    """A build Progress that records (stage, seconds, peak bytes) at each stage end."""

    def __init__(self) -> None:
        self.stages: list[tuple[str, float, int]] = []
        self.details: list[str] = []
        self.cpu: list[float] = []
        self._cpu_before = _cpu()

    def stage(self, name: str, total: int) -> None:
        """A stage starts."""

    def step(self, item: str) -> None:
        """A step of the stage is done."""

    def done(self, name: str, seconds: float, detail: str) -> None:
        """Record the stage, and report its end at once (a build stopped at the ceiling still tells
        the parent which stages it finished)."""
        peak = _peak()
        self.stages.append((name, seconds, peak))
        print(json.dumps({"stage": name, "seconds": seconds, "peak": peak}), flush=True)
        self.details.append(detail)
        cpu = _cpu()
        self.cpu.append(cpu - self._cpu_before)
        self._cpu_before = cpu


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
                "details": recorder.details,
                "cpu": recorder.cpu,
                "seconds": time.perf_counter() - started,
                "cpu_seconds": _cpu() + _cpu(resource.RUSAGE_CHILDREN),
                "workers_cpu": _cpu(resource.RUSAGE_CHILDREN),
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


class TreePeak(threading.Thread):
    """Samples the summed resident memory of a process tree until the process ends; keeps the peak.
    With a ``ceiling`` (bytes), kills the whole tree once the sum passes it and notes when."""

    def __init__(self, pid: int, ceiling: int | None = None) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.stop = pid, 0, threading.Event()
        self.ceiling, self.started, self.stopped_after = ceiling, time.perf_counter(), 0.0

    def run(self) -> None:
        while not self.stop.wait(0.2):
            tree = common._tree(self.pid)
            rss = sum(common._rss(pid) for pid in tree)
            self.peak = max(self.peak, rss)
            if self.ceiling is not None and rss > self.ceiling and not self.stopped_after:
                self.stopped_after = time.perf_counter() - self.started
                for pid in tree:
                    with contextlib.suppress(OSError):
                        os.kill(pid, signal.SIGKILL)


def _json_lines(stdout: str) -> list[dict[str, Any]]:
    r"""The JSON objects a child printed, one a line (a line cut short when the child was killed at
    the ceiling is left out).

    >>> _json_lines('{"stage": "load"}\nother output\n{"stage": "prep')
    [{'stage': 'load'}]
    """
    found = []
    for line in stdout.splitlines():
        if line.startswith("{"):
            with contextlib.suppress(json.JSONDecodeError):
                found.append(dict(json.loads(line)))
    return found


def run_child(
    rel: common.Release, *args: str, profile: Path | None = None, ceiling: int | None = None
) -> dict[str, Any]:
    """Run one child (``--child ARGS``) in a fresh interpreter; its figures, with ``tree_peak`` (the
    sampled peak of its process tree). Stopped at the ceiling: ``stopped_after`` (seconds) and the
    ``stages`` it finished."""
    command = [sys.executable, __file__, "--child", *args]
    if profile is not None:
        py_spy = shutil.which("py-spy", path=str(common.BIN)) or "py-spy"
        command = [py_spy, "record", "--subprocesses", "--rate", "50", "-o", str(profile), "--", *command]
    process = subprocess.Popen(
        command, env=rel.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    sampler = TreePeak(process.pid, ceiling)
    sampler.start()
    stdout, stderr = process.communicate()
    sampler.stop.set()
    sampler.join()
    lines = _json_lines(stdout)
    if sampler.stopped_after:
        stages = [[line["stage"], line["seconds"], line["peak"]] for line in lines if "stage" in line]
        return {"stopped_after": sampler.stopped_after, "stages": stages, "tree_peak": sampler.peak}
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{stderr[-4000:]}")
    # the child's figures are its last JSON line without "stage" (py-spy, with --profile, writes to
    # the same stdout; the build reports each stage's end on its own line)
    found = dict([line for line in lines if "stage" not in line][-1])
    found["tree_peak"] = sampler.peak
    return found


def print_peers(stages: dict[str, float], peer: dict[str, Any]) -> None:
    """rdflib beside the build's pyoxigraph stages."""
    written = sum(seconds for name, seconds in stages.items() if name not in ("load", "publish"))
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
                    "write Turtle (build: prepare + validation, 5 dumps, tables, changes)",
                    written,
                    peer["turtle"],
                    common.ratio(float(peer["turtle"]), written),
                ],
            ],
        )
    )


def record_targets(work: Path, size: str, build: dict[str, Any], peer: dict[str, Any] | None) -> None:
    """The issue's build targets at 1M (other sizes only print): time and peak memory, beside rdflib."""
    seconds, peak = float(build["seconds"]), int(build["tree_peak"])
    peer_text = (
        f"rdflib: parse the TriG {float(peer['parse']):.0f} s + write Turtle {float(peer['turtle']):.0f} s, "
        f"peak {common.megabytes(int(peer['peak'])):,.0f} MiB"
        if peer
        else "-"
    )
    met_time, met_peak = seconds < TARGET_SECONDS, peak < TARGET_PEAK
    print(
        f"\ntargets ({size}): build under {TARGET_SECONDS:.0f} s: "
        f"{'met' if met_time else 'MISSED'} ({seconds:.1f} s); "
        f"peak RSS of the build's process tree under 4 GiB: {'met' if met_peak else 'MISSED'} "
        f"({common.megabytes(peak):,.0f} MiB)"
    )
    triples = f"{int(build['triples']):,} triples"
    if size.lower() == "10m":
        built = f"built: {seconds:.0f} s, peak {common.megabytes(peak):,.0f} MiB ({triples})"
        record_fit(work, size, built, True)
    if size.lower() != "1m":
        return
    targets.record(
        work,
        "twingraph build, 1M, incl. validation",
        f"{seconds:.1f} s ({triples})",
        peer_text,
        "< 120 s",
        met_time,
    )
    targets.record(
        work,
        "twingraph build, 1M: peak RSS (build + workers)",
        f"{common.megabytes(peak):,.0f} MiB",
        peer_text,
        "< 4 GiB",
        met_peak,
    )


def report_stopped(work: Path, size: str, build: dict[str, Any], ceiling: float, load: str) -> None:
    """A build stopped at the memory ceiling: the stages it finished, when and where it stopped."""
    stages, after, peak = build["stages"], float(build["stopped_after"]), int(build["tree_peak"])
    running = f"after the '{stages[-1][0]}' stage" if stages else "in the first stage (load)"
    print(f"\n## twingraph build: {size}, stopped at the ceiling of {ceiling:g} GiB\n")
    print(f"load average (1 min) before the build: {load}\n")
    if stages:
        print(
            common.table(
                ["stage finished", "seconds", "peak RSS MiB (build, so far)"],
                [[name, seconds, common.megabytes(stage_peak)] for name, seconds, stage_peak in stages],
            )
        )
    stopped = (
        f"stopped {running}, {after:.0f} s in, its process tree at {common.megabytes(peak):,.0f} MiB "
        f"(ceiling {ceiling:g} GiB)"
    )
    print(f"\ntarget ({size}): builds on this machine: MISSED ({stopped})")
    record_fit(work, size, stopped, False)


def record_fit(work: Path, size: str, measured: str, met: bool) -> None:
    """The target of issue 17 at 10M (and of any build given a ceiling): it builds on this machine."""
    what = f"twingraph build, {size}, on this 24 GiB machine"
    targets.record(work, what, measured, "-", "builds; time and peak memory", met)


def worker_jobs(stages: list[list[Any]], details: list[str]) -> list[list[object]]:
    """(job, seconds, CPU seconds) of the dumps stage, read from its detail
    ("validate 80.1 s, 79.9 CPU s (...); tables 9.0 s, 8.8 CPU s (...) ...")."""
    rows: list[list[object]] = []
    for (name, _seconds, _peak), detail in zip(stages, details, strict=True):
        if name == "dumps":
            for part in detail.split("; "):
                job, _, rest = part.partition(" ")
                seconds = rest.split(" s", 1)[0]
                cpu = rest.split(" CPU s", 1)[0].rpartition(" ")[2] if " CPU s" in rest else ""
                if seconds.replace(".", "", 1).isdigit():
                    rows.append([job, float(seconds), float(cpu) if cpu else ""])
    return rows


def prepared(work: Path, size: str) -> common.Release:
    """The dataset's folder with its imports (generated or imported) ready; nothing is built."""
    folder = work / size
    rel = common.Release(size, folder, common.environment(folder))
    if not list(rel.imports.glob("*.trig")):
        common.say(f"{size}: preparing the imports in {rel.imports} ...")
        common.prepare_imports(size, folder, rel.env)
    return rel


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
    parser.add_argument("--profile", type=Path, help="record the build with py-spy into this file (SVG)")
    parser.add_argument(
        "--ceiling",
        type=float,
        help="stop the build when its process tree holds more than this many GiB (and report where)",
    )
    args = common.settle(parser.parse_args())
    ceiling = int(args.ceiling * GIB) if args.ceiling else None
    for size in args.size.split(","):
        rel = prepared(args.work, size)
        dist = rel.folder / "bench-build-dist"
        shutil.rmtree(dist, ignore_errors=True)
        common.say(f"{size}: twingraph build ...")
        load_before = _load_average()
        build = run_child(rel, "build", str(dist), profile=args.profile, ceiling=ceiling)
        load_after = _load_average()
        if "stopped_after" in build:
            shutil.rmtree(dist, ignore_errors=True)
            report_stopped(args.work, size, build, float(args.ceiling), load_before)
            continue
        peer = None
        if not args.no_rdflib:
            common.say(f"{size}: rdflib parse + Turtle ...")
            peer = run_child(rel, "rdflib", str((dist / "latest").resolve() / "twingraph.trig"))
        shutil.rmtree(dist, ignore_errors=True)
        rows: list[list[object]] = [
            [name, seconds, cpu, common.megabytes(peak), detail[:100]]
            for (name, seconds, peak), cpu, detail in zip(
                build["stages"], build["cpu"], build["details"], strict=True
            )
        ]
        rows.append(["worker processes (their jobs below)", "", build["workers_cpu"], "", ""])
        rows.append(
            ["total", build["seconds"], build["cpu_seconds"], common.megabytes(int(build["peak"])), ""]
        )
        print(f"\n## twingraph build: {size} ({build['triples']:,} distinct triples)\n")
        print(f"load average (1 min) before the build: {load_before}, after it: {load_after}\n")
        print(
            common.table(
                ["stage", "seconds", "CPU s", "peak RSS MiB (build, so far)", "detail"],
                rows,
            )
        )
        jobs = worker_jobs(build["stages"], build["details"])
        if jobs:
            print(
                "\nThe jobs of the two worker processes (the dumps' worker starts during prepare, "
                "the validator once the store is dropped):\n"
            )
            print(common.table(["job", "seconds", "CPU s"], jobs))
        print(
            "\npeak RSS of the build with its worker processes (sampled): "
            f"{common.megabytes(int(build['tree_peak'])):,.0f} MiB"
        )
        record_targets(args.work, size, build, peer)
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
