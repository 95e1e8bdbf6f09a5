"""The year's disclosure audit: everything a year publishes about its people, solved again.

Each report protects its populations with :class:`genderstats.privacy.Population`; this
module rebuilds those populations from the year's data exactly as the reports do (the
digital training's participations, the onsite engineers, the staff of each type), adds what
crosses years (this year's trend rows against last year's own tables), and solves every
small count's range again over all of it. The build can call :func:`audit_year` last: an
empty answer means no count of 1 or 2 people can be pinned from what the year prints.

>>> audit_year(112)                                          # doctest: +SKIP
[]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from genderstats import config
from genderstats.config import GENDERS, TOTAL
from genderstats.privacy import SHOWN, WHOLE, Population

__all__ = ["Pinned", "year_populations", "audit_year"]


@dataclass(frozen=True)
class Pinned:
    """A small count a reader can work out: where it is printed and its range."""

    population: str
    table: str
    category: str
    column: str
    low: float
    high: float


def _training(year: int, root: Path) -> tuple | None:
    """The year's (participations, classes), None when either file is absent."""
    from genderstats import data
    from genderstats.analyses import digital_training as dt

    parts = data.load_optional(dt.PARTICIPATIONS, year, root)
    classes = data.load_optional(dt.CLASSES, year, root)
    return None if parts is None or classes is None else (parts, classes)


def _digital(year: int, root: Path) -> dict[str, Population]:
    from genderstats.analyses import digital_training as dt

    loaded = _training(year, root)
    if loaded is None:
        return {}
    out = {"數位訓練": dt.protect(dt.prepare(*loaded)).population}
    previous = _digital_previous(year, root)
    if previous is not None:
        out[f"數位訓練（{year - 1}年，含{year}年趨勢表）"] = previous
    return out


def _digital_previous(year: int, root: Path) -> Population | None:
    """Last year's population with this year's trend row of last year printed over it: a
    number the trend shows where last year's page hid it is solved with last year's tables.
    """
    from genderstats.analyses import digital_training as dt

    loaded = _training(year - 1, root)
    if loaded is None:
        return None
    parts, classes = loaded
    last = dt.protect(dt.prepare(parts, classes))
    trend = dt.yearly_trend(parts.assign(year=year - 1), classes.assign(year=year - 1),
                            [year - 1])
    shown = dt.protected_trend(trend, last.population.threshold)
    pop = last.population
    printed = {(WHOLE, c): SHOWN for c in (*GENDERS, TOTAL) if shown.shown(year - 1, c)}
    pop.reveal(printed)
    return pop


def _engineers(year: int, root: Path) -> dict[str, Population]:
    from genderstats import data
    from genderstats.analyses import engineers as eng

    people = data.load_optional("onsite_engineers", year, root)
    if people is None:
        return {}
    columns = eng.usable_breakdowns(people, [*eng.DEFAULT_BREAKDOWNS, eng.SENIORITY_COLUMN])
    return {"駐點工程師": eng.population(people, columns)}


def _staff(year: int, root: Path) -> dict[str, Population]:
    from genderstats import data
    from genderstats.analyses import staff_training as st

    staff = data.load_optional("staff_training", year, root)
    if staff is None:
        return {}
    return {f"性別意識培力（{kind}）": st.population(staff, kind) for kind in st.STAFF_TYPES}


_SOURCES: tuple[Callable[[int, Path], dict[str, Population]], ...] = (
    _digital, _engineers, _staff)


def year_populations(year: int, data_dir: str | Path | None = None) -> dict[str, Population]:
    """Every protected population the year publishes, by name, with its printed marks.

    A dataset the year lacks is left out, as the reports leave it out.
    """
    root = config.resolve_data_dir(data_dir)
    out: dict[str, Population] = {}
    for source in _SOURCES:
        out.update(source(int(year), root))
    return out


def audit_year(year: int, data_dir: str | Path | None = None) -> list[Pinned]:
    """Every small count that can be pinned from what the year publishes (empty: none).

    Re-solves each population with everything printed about it (counts, 「<3」, 「*」,
    shares, complements, last year's tables under this year's trend) by integer
    programming, independently of how the marks were chosen.
    """
    found = []
    for name, pop in year_populations(year, data_dir).items():
        for leak in pop.leaks(pop.printed()):
            found.append(Pinned(name, leak["表"], str(leak["類別"]), leak["欄"],
                                leak["最小"], leak["最大"]))
    return found
