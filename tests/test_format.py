"""How dates read in the lists: the year only when it is not this one, due or not."""

from __future__ import annotations

import datetime as dt

from tui import format as fmt

TODAY = dt.date(2026, 12, 20)


def test_a_due_date_shows_its_year_only_when_it_is_not_this_one() -> None:
    assert fmt.due_cell(dt.date(2026, 12, 28), TODAY).plain == "28 Dec"
    assert fmt.due_cell(dt.date(2027, 1, 4), TODAY).plain == "04 Jan 2027"
    assert fmt.due_cell(dt.date(2026, 12, 1), TODAY).plain == "01 Dec overdue"
    assert fmt.due_cell(dt.date(2025, 12, 28), TODAY).plain == "28 Dec 2025 overdue"
    assert fmt.due_cell(TODAY, TODAY).plain == "20 Dec today"


def test_a_closed_item_is_never_overdue_and_reads_like_any_date() -> None:
    done = fmt.due_cell(dt.date(2026, 12, 1), TODAY, open_=False)
    assert done.plain == "01 Dec"
    assert not done.style
    assert fmt.due_cell(dt.date(2026, 12, 1), TODAY).style == "bold red"
