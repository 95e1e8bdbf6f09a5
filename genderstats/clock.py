"""The one clock: every date and time the package prints, stamps or checks is read here.

``SOURCE_DATE_EPOCH`` (seconds since 1970, the reproducible-builds convention that
matplotlib and many other tools follow) sets it: a build then stamps its pages, manifest
and logs with that moment, so two builds of the same data give the same bytes, and a test
can set any day. Durations are measured apart (``time.perf_counter``): they are not dates.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os

ENV = "SOURCE_DATE_EPOCH"


def now() -> dt.datetime:
    """This moment in local time, with its offset (or the one ``SOURCE_DATE_EPOCH`` names)."""
    fixed = os.environ.get(ENV, "").strip()
    if fixed.isascii() and fixed.isdigit():
        # A moment no calendar holds is no setting: the real time, as without one.
        with contextlib.suppress(OverflowError, ValueError, OSError):
            return dt.datetime.fromtimestamp(int(fixed), dt.UTC).astimezone()
    return dt.datetime.now().astimezone()


def today() -> dt.date:
    """The local date of :func:`now`."""
    return now().date()


def stamp() -> str:
    """:func:`now` as the logs and states write it: ``2026-12-07T10:15:02+08:00``."""
    return now().isoformat(timespec="seconds")
