import pytest

from genderstats.years import ad_year, roc_year, year_label


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
