"""What a build runs, and in what order: decided from facts alone, without reading a file.

The build gathers the facts (which reports summarise the others, which are still fresh,
which still hold the scaffold's template, how long each took last time) and acts on the
plan; the rules live here, where they can be read and tested on their own:

- the reports given the others' status (``report_status``) run after the others, since
  their status is what they read; one marked ``starts_early`` that must run anyway starts
  with the others, outside the ``--jobs`` count, and waits inside its notebook;
- a report whose notebook still holds the scaffold's template is never published;
- a report whose last good run still holds does not run (``unchanged``);
- the others run longest first, so no worker is left running one alone at the end.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from genderstats.pipeline.registry import Report


@dataclass(frozen=True)
class Phase:
    """One round of reports: those that run (longest first), those kept as they are, and
    those refused because their notebook is unfinished (id → why)."""

    run: tuple[Report, ...] = ()
    unchanged: tuple[Report, ...] = ()
    unfinished: Mapping[str, str] = field(default_factory=dict)


def summarising_last(reports: Sequence[Report], summarising: Collection[str]
                     ) -> tuple[list[Report], list[Report]]:
    """The reports in registry order: those that do not read the others' status, then
    those that do."""
    return ([r for r in reports if r.id not in summarising],
            [r for r in reports if r.id in summarising])


def early_starters(last: Sequence[Report], fresh: Collection[str]) -> list[Report]:
    """The summarising reports that start with the others: marked ``starts_early`` and not
    fresh (judged against the last build's status, before it is overwritten)."""
    return [r for r in last if r.starts_early and r.id not in fresh]


def phase(reports: Sequence[Report], *, fresh: Collection[str],
          unfinished: Mapping[str, str], expected: Mapping[str, float]) -> Phase:
    """Sort ``reports`` into those that run, those unchanged and those refused.

    ``fresh``: the ids whose last good run still holds; ``unfinished``: the ids whose
    notebook still holds the scaffold's template, with why; ``expected``: seconds each
    took last time (missing: unknown, run last).
    """
    refused = {r.id: unfinished[r.id] for r in reports if r.id in unfinished}
    kept = [r for r in reports if r.id not in refused]
    run = sorted((r for r in kept if r.id not in fresh),
                 key=lambda r: -expected.get(r.id, 0.0))
    return Phase(tuple(run), tuple(r for r in kept if r.id in fresh), refused)


def workers(requested: int | None, cpus: int | None, running: int, waiting: int) -> int:
    """How many reports run at once: ``--jobs`` (else one per CPU), never more than the
    reports that compute; a report that waits for the others' status does not count."""
    return max(1, min(requested or cpus or 1, max(1, running - waiting)))
