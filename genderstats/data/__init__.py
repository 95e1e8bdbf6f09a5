"""Input data: the contract (which files, which columns), validated loading, clear errors.

>>> from genderstats import data
>>> members = data.load("committee_members", 112)          # doctest: +SKIP
>>> data.DATASETS["committee_members"].title
'委員名單'
>>> texts = data.load_results_text(112)                   # doctest: +SKIP

The analyst's texts of the results report (results_report.yml) are read by
:mod:`genderstats.data.results_text`.

Files live in ``data/<ROC year>/<stem>.csv|xlsx|ods``; data/README.md describes each one.
:mod:`genderstats.data.folders` finds them (and refuses what must not be read),
:mod:`genderstats.data.loader` reads and checks them, :mod:`genderstats.data.validation`
checks a whole year folder.
"""

from __future__ import annotations

from genderstats.data.bands import AGE_BAND_DTYPE, AGE_BANDS, age_band
from genderstats.data.convert import normalize_gender
from genderstats.data.errors import DataError, Problem
from genderstats.data.folders import display_path, find_file
from genderstats.data.loader import (
    empty_frame,
    has_column,
    load,
    load_optional,
    load_years,
    year_column,
)
from genderstats.data.results_text import (
    Catalog,
    ResultsText,
    load_results_text,
    placeholders,
)
from genderstats.data.specs import DATASETS, EXTENSIONS, SATISFIED, Column, Dataset
from genderstats.data.validation import validate_year
from genderstats.data.vocab import GENDER_DTYPE

__all__ = [
    "AGE_BANDS",
    "AGE_BAND_DTYPE",
    "DATASETS",
    "EXTENSIONS",
    "Catalog",
    "GENDER_DTYPE",
    "Column",
    "DataError",
    "Dataset",
    "Problem",
    "ResultsText",
    "SATISFIED",
    "age_band",
    "display_path",
    "empty_frame",
    "find_file",
    "has_column",
    "load",
    "load_optional",
    "load_results_text",
    "load_years",
    "normalize_gender",
    "placeholders",
    "validate_year",
    "year_column",
]
