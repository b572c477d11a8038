"""How far a triple pattern can fan out in one release, and so how much work a query can be.

A protocol query runs in a worker process so that it can be stopped at the time limit by ending the
process. That costs a round trip (the job and its answer pickled through a socket, two process
switches): for a light query, several times the engine's own work. A query whose work is provably
small needs no stopping, and the embedded backend answers it in the web process.

The proof: a query made of one basic graph pattern (store/patterns.py) is evaluated by Oxigraph
pattern by pattern, each joined to the solutions so far through the variables they share, starting
from the patterns with bound terms (its optimizer orders joins so, never taking a cross product when
a shared variable joins). A pattern whose subject is bound (a constant, or a variable an earlier
pattern bound) yields at most the largest number of objects any subject has for its predicate; one
whose object is bound, at most the largest number of subjects any object has. Those maxima are
measured once per release (``degrees.json`` beside the database: releases never change). Multiplied
along the patterns, they bound the solutions at every step; their sum bounds the work. A query whose
patterns cannot all be reached from a bound term (a pattern with neither end bound would scan a
whole predicate, or the whole graph) has no bound, and goes to the workers.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from twingraph.atomic_file import write_atomically
from twingraph.queries import load_query
from twingraph.store.patterns import Pattern, Slot

log = logging.getLogger(__name__)
FILE_NAME = "degrees.json"
FORMAT = 1  # of the file; another value is computed anew


@dataclass(frozen=True)
class Degrees:
    """Per predicate IRI: the most objects one subject has (``out``), the most subjects one object
    has (``in_``)."""

    out: dict[str, int]
    in_: dict[str, int]

    @property
    def out_most(self) -> int:
        """The largest ``out`` of any predicate."""
        return max(self.out.values(), default=0)

    @property
    def in_most(self) -> int:
        """The largest ``in_`` of any predicate."""
        return max(self.in_.values(), default=0)

    @property
    def out_any(self) -> int:
        """A bound for a pattern with a variable predicate and a bound subject: the sum over predicates."""
        return sum(self.out.values())

    @property
    def in_any(self) -> int:
        """A bound for a pattern with a variable predicate and a bound object."""
        return sum(self.in_.values())


def measure(store: ox.Store) -> Degrees:
    """The degrees of ``store``'s default graph (two grouped scans: about a second for 250,000
    triples)."""
    return Degrees(_most(store, "store/degrees-out"), _most(store, "store/degrees-in"))


def _most(store: ox.Store, query: str) -> dict[str, int]:
    result = store.query(load_query(query))
    assert isinstance(result, ox.QuerySolutions)
    found = {}
    for row in result:
        predicate, most = row["p"], row["most"]
        if isinstance(predicate, ox.NamedNode) and isinstance(most, ox.Literal):
            found[predicate.value] = int(most.value)
    return found


def read(location: Path) -> Degrees | None:
    """The degrees saved beside the database at ``location``; None when there are none (or unreadable)."""
    try:
        data = json.loads((location / FILE_NAME).read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            return None
        return Degrees(
            {str(k): int(v) for k, v in data["out"].items()}, {str(k): int(v) for k, v in data["in"].items()}
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def write(degrees: Degrees, location: Path) -> None:
    """Save ``degrees`` beside the database at ``location`` (atomically)."""

    def dump(out: IO[Any]) -> None:
        json.dump({"format": FORMAT, "out": degrees.out, "in": degrees.in_}, out, sort_keys=True)

    write_atomically(location / FILE_NAME, dump)


def work_bound(patterns: tuple[Pattern, ...], degrees: Degrees) -> int | None:
    """An upper bound of the solutions the patterns' evaluation goes through (summed over the joins),
    or None when some pattern cannot be reached from a bound term.

    The bound holds for every order in which each pattern is joined with one end already bound: each
    pattern is given the most it can fan out in any such order, and the largest go first.

    >>> from twingraph.store.patterns import Pattern, Slot
    >>> c, p, x, y = Slot(False, "c"), Slot(False, "p"), Slot(True, "x"), Slot(True, "y")
    >>> degrees = Degrees({"p": 3}, {"p": 5})
    >>> work_bound((Pattern(c, p, x), Pattern(x, p, y)), degrees)  # 5, then 3 for each: 5 + 15
    20
    >>> work_bound((Pattern(x, p, y),), degrees) is None  # every triple of p
    True
    """
    if not _reachable(patterns):
        return None
    solutions, work = 1, 0
    for fanout in sorted((_fanout(pattern, degrees) for pattern in patterns), reverse=True):
        solutions *= max(1, fanout)
        work += solutions
    return work


def _reachable(patterns: tuple[Pattern, ...]) -> bool:
    """Whether every pattern can be joined with one end bound: reached from a constant end through
    shared variables."""
    left = list(patterns)
    bound: set[str] = set()
    while left:
        ready = [p for p in left if _is_bound(p.subject, bound) or _is_bound(p.object, bound)]
        if not ready:
            return False
        for pattern in ready:
            left.remove(pattern)
            bound.update(slot.value for slot in pattern if slot.variable)
    return True


def _fanout(pattern: Pattern, degrees: Degrees) -> int:
    """The most solutions one pattern yields for each solution it is joined with, in any order that
    binds one of its ends first (a constant end is bound in every order)."""
    subject_fixed, object_fixed = not pattern.subject.variable, not pattern.object.variable
    predicate = pattern.predicate
    if predicate.variable:
        out, in_ = degrees.out_any, degrees.in_any
    else:  # a predicate not found (none in the data, or an IRI resolved otherwise): the largest of any
        out = degrees.out.get(predicate.value, degrees.out_most)
        in_ = degrees.in_.get(predicate.value, degrees.in_most)
    if subject_fixed and object_fixed:
        return 1 if not predicate.variable else min(out, in_)
    if subject_fixed:
        return out
    if object_fixed:
        return in_
    return max(out, in_)


def _is_bound(slot: Slot, bound: set[str]) -> bool:
    return not slot.variable or slot.value in bound
