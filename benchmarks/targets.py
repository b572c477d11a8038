"""The issue's targets, each as one row beside its peer: every benchmark script records the targets it
measures, and ``make bench`` prints them all in one table at the end.

A script calls :func:`record` once per target it measured in that run; the rows are appended to
``<work>/targets.jsonl`` (one JSON object per line), which ``make bench`` empties first. Run as a
script, this module prints the table of every row recorded since:

    .venv/bin/python benchmarks/targets.py --work /tmp/twingraph-bench
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common

FILE = "targets.jsonl"


@dataclass(frozen=True)
class Target:
    """One target of a run: what was measured (``measured``, ours), beside what (``peer``, the peer's
    figure or "-" when the target is absolute), the goal as the issue states it, and whether it was met."""

    what: str
    measured: str
    peer: str
    goal: str
    met: bool
    script: str = ""
    at: str = ""


def record(work: Path, what: str, measured: str, peer: str, goal: str, met: bool) -> None:
    """Append one target row for this run (the calling script's name and the time are added)."""
    row = Target(what, measured, peer, goal, met, Path(sys.argv[0]).name, time.strftime("%Y-%m-%d %H:%M"))
    work.mkdir(parents=True, exist_ok=True)
    with (work / FILE).open("a", encoding="utf-8") as out:
        out.write(json.dumps(asdict(row), ensure_ascii=False) + "\n")


def clear(work: Path) -> None:
    """Forget the rows of earlier runs (``make bench`` starts with this)."""
    (work / FILE).unlink(missing_ok=True)


def recorded(work: Path) -> list[Target]:
    """Every row recorded in ``work`` since it was last cleared, in the order recorded."""
    path = work / FILE
    if not path.exists():
        return []
    return [Target(**json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines() if line]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, default=common.DEFAULT_WORK)
    parser.add_argument("--clear", action="store_true", help="forget the rows of earlier runs and stop")
    args = parser.parse_args()
    if args.clear:
        clear(args.work)
        return
    rows = recorded(args.work)
    if not rows:
        print(f"no targets recorded in {args.work / FILE}")
        return
    print("\nTargets (each beside its peer, measured in the same run):\n")
    print(
        common.table(
            ["target", "measured", "peer", "goal", "", "script"],
            [[r.what, r.measured, r.peer, r.goal, "met" if r.met else "MISSED", r.script] for r in rows],
        )
    )


if __name__ == "__main__":
    main()
