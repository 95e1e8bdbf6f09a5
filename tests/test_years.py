from datetime import date, datetime

import pandas as pd
import pytest

from genderstats.years import ad_year, roc_date, roc_year, year_label


@pytest.mark.parametrize("given", [112, "112", 2023, "2023", "112年", " 112 ", "民國112"])
def test_both_year_forms_mean_the_same_year(given):
    assert roc_year(given) == 112
    assert ad_year(given) == 2023


def test_year_label():
    assert year_label(2023) == "112年（2023）"


@pytest.mark.parametrize("bad", ["abc", "", 5000, "1800"])
def test_unreadable_year_says_how_to_write_it(bad):
    with pytest.raises(ValueError, match="請寫民國年（如 112）或西元年（如 2023）"):
        roc_year(bad)


def test_every_roc_date_style_from_one_conversion():
    # 「112/08/28」 on the pages, 「112/8/28」 in the form's analysis list, 「112-09-01」 in its
    # course and meeting tables; a missing date prints nothing.
    assert roc_date(date(2023, 8, 28)) == "112/08/28"
    assert roc_date(date(2023, 8, 28), pad=False) == "112/8/28"
    assert roc_date(pd.Timestamp("2023-09-01"), sep="-") == "112-09-01"
    assert roc_date(datetime(2026, 12, 6, 14, 5), time=True) == "115/12/06 14:05"
    assert [roc_date(d, sep="-") for d in pd.Series(pd.to_datetime(["2024-01-02", None]))] == [
        "113-01-02", ""]
    assert roc_date(None) == ""
