"""Memento (RFC 7089) pieces that need no web framework: HTTP dates, picking a memento, TimeMaps.

Choices, as the RFC allows them: the original resource of ``/id/<type>/<slug>`` and
``/doc/<type>/<slug>`` is the description ``/doc/<type>/<slug>``; its mementos are the same path
under ``/releases/<version>/``, one per release in which the entity exists, dated by the release's
``dct:issued``. A TimeGate (pattern 2.3, separate from the original) answers an ``Accept-Datetime``
before the first memento with the first memento (RFC 7089 section 4.5.3 lets a TimeGate pick the
closest one rather than answer 406, and a client asking for an early date is better served by the
oldest description than by an error).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from email.utils import format_datetime, parsedate_to_datetime

from twingraph.versions.registry import Release

LINK_FORMAT = "application/link-format"


class BadDatetime(ValueError):
    """An ``Accept-Datetime`` that is not an RFC 1123 date (RFC 7089 section 2.1.1)."""


def http_date(moment: dt.datetime) -> str:
    """A datetime as an RFC 1123 HTTP date in GMT.

    >>> http_date(dt.datetime(2007, 5, 31, 20, 35, tzinfo=dt.UTC))
    'Thu, 31 May 2007 20:35:00 GMT'
    """
    return format_datetime(moment.astimezone(dt.UTC), usegmt=True)


def parse_http_date(text: str) -> dt.datetime:
    """Read an ``Accept-Datetime`` value (RFC 1123, GMT), as in RFC 7089's examples.

    >>> parse_http_date("Thu, 31 May 2007 20:35:00 GMT").isoformat()
    '2007-05-31T20:35:00+00:00'
    >>> parse_http_date("2007-05-31")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    twingraph.versions.memento.BadDatetime: Accept-Datetime must be an RFC 1123 date like ...
    """
    try:
        moment = parsedate_to_datetime(text.strip())
    except (TypeError, ValueError, IndexError) as exc:
        raise BadDatetime(_BAD) from exc
    if moment is None or not text.strip().endswith("GMT"):
        raise BadDatetime(_BAD)
    return moment.astimezone(dt.UTC)


_BAD = "Accept-Datetime must be an RFC 1123 date like 'Thu, 31 May 2007 20:35:00 GMT'"


def select_memento(mementos: Sequence[Release], moment: dt.datetime | None) -> Release:
    """The memento current at ``moment``: the newest issued at or before it; before the first, the first.

    ``mementos`` is oldest first and not empty; no moment means now (the newest).
    """
    if moment is None:
        return mementos[-1]
    chosen = mementos[0]
    for release in mementos:
        if release.issued <= moment:
            chosen = release
    return chosen


def timemap(original: str, timegate: str, self_url: str, mementos: Sequence[tuple[str, Release]]) -> str:
    """A TimeMap in ``application/link-format`` (RFC 7089 section 5.1.1); ``mementos`` oldest first."""
    first, last = mementos[0][1], mementos[-1][1]
    lines = [
        f'<{original}>;rel="original"',
        f'<{timegate}>;rel="timegate"',
        f'<{self_url}>;rel="self";type="{LINK_FORMAT}"'
        f';from="{http_date(first.issued)}";until="{http_date(last.issued)}"',
    ]
    for i, (url, release) in enumerate(mementos):
        rel = "memento"
        if i == 0:
            rel = "first memento"
        if i == len(mementos) - 1:
            rel = "last memento" if len(mementos) > 1 else "first last memento"
        lines.append(f'<{url}>;rel="{rel}";datetime="{http_date(release.issued)}"')
    return ",\n".join(lines) + "\n"
