"""What a visitor types into the sidebar is read strictly: a reform's month and the world
size are ASCII numbers in range, or refused with the reason; nothing else reaches the model."""

from __future__ import annotations

import pytest

from sim.interfaces.browser.inputs import MAX_REFORM_MONTH, read_month, read_number


@pytest.mark.parametrize("text, month", [("5", 5), (" 12 ", 12), ("+7", 7), ("0009", 9)])
def test_a_month_after_the_current_one_is_read(text, month):
    assert read_month(text, 4) == (month, "")


@pytest.mark.parametrize(
    "text, says",
    [
        ("-5", "not a month"),
        ("0", "from 5 to 9999"),
        ("4", "months up to 4 have begun already"),
        ("NaN", "not a month"),
        ("①", "not a month"),
        ("١٠", "not a month"),
        ("3.5", "not a month"),
        ("1_0", "not a month"),
        ("", "not a month"),
        ("9" * 5000, "not a month"),
        ("9" * 30, "not a month"),
        (str(MAX_REFORM_MONTH + 1), "from 5 to 9999"),
    ],
)
def test_a_month_that_is_not_one_or_has_begun_is_refused_with_the_reason(text, says):
    month, why = read_month(text, 4)
    assert month is None and says in why and len(why) < 200


def test_the_reason_is_in_the_page_s_language():
    assert "不是月份" in read_month("x", 0, "zh")[1]
    assert "不是整数" in read_number("n_streets", "2.5", "zh")[1]


@pytest.mark.parametrize(
    "name, text, value",
    [
        ("n_streets", "3", 3),
        ("n_streets", "1e1", 10),
        ("n_streets", " 4.0 ", 4),
        ("households_per_compound", "12.5", 12.5),
        ("communities_per_street", ".5e1", 5.0),
    ],
)
def test_a_world_size_in_ascii_digits_is_read(name, text, value):
    got, why = read_number(name, text)
    assert why == "" and got == value and type(got) is type(value)


@pytest.mark.parametrize(
    "name, text, says",
    [
        ("n_streets", "١٠", "not a number"),
        ("n_streets", "1_0", "not a number"),
        ("n_streets", "nan", "not a number"),
        ("n_streets", "inf", "not a number"),
        ("n_streets", "ten", "not a number"),
        ("n_streets", "2.5", "not a whole number"),
        ("n_streets", "0", "outside the allowed range"),
        ("n_streets", "9" * 5000, "outside the allowed range"),
        ("households_per_compound", "-3", "outside the allowed range"),
    ],
)
def test_a_world_size_that_is_not_a_number_or_out_of_range_is_refused_with_the_reason(
    name, text, says
):
    got, why = read_number(name, text)
    assert got is None and says in why and len(why) < 200
