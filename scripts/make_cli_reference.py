"""Write docs/cli.md from the commands' ``--help`` (run after changing a command or its options)."""

from __future__ import annotations

from pathlib import Path

from twingraph.cli import main
from twingraph.cli_reference import render

TARGET = Path(__file__).resolve().parents[1] / "docs" / "cli.md"

if __name__ == "__main__":
    TARGET.write_text(render(main), encoding="utf-8")
    print(f"wrote {TARGET}")
