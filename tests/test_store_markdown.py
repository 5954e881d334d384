"""Every Markdown output, parsed by markdown-it-py (CommonMark): user text stays literal text.

Assertions are on the token tree: headings, paragraphs, bullet lists, no raw HTML, and each
paragraph's text as the renderer will show it.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from store import decisions, edits
from store.briefing import brief_cadence, brief_person, briefing_markdown
from store.checkins import CheckInDraft, log_checkin
from store.db import Store
from store.logparse import NextStepLine
from store.markdown import escaped, one_line
from store.text import is_hidden, visible

NOW = dt.datetime(2026, 11, 20, 17, 0, tzinfo=dt.UTC)

# Each would be markup if passed through raw: HTML, a heading, a quote, lists, a setext
# underline, a thematic break, fences, code, emphasis, a link, an image, an autolink, entities.
HOSTILE_LINES = [
    "<script>alert(1)</script>",
    "# Not a heading",
    "   ## indented heading #",
    "> not a quote",
    "- not a list",
    "+ nor this",
    "* nor this",
    "1. not ordered",
    "12) nor this",
    "===",
    "---",
    "***",
    "___",
    "~~~",
    "```python",
    "`code` and *em* and _em_ and **strong**",
    "[a link](https://evil.example) ![an image](x.png)",
    "<https://evil.example> <b>bold</b> <!-- comment -->",
    "&amp; &lt; &#35; &copy;",
    "back\\slash\\",
    "trailing hashes ###",
    "a | table | row",
    "ESC \x1b[2J, CSI \x9b31m, RLO \u202e, ZWSP \u200b end",
]


def tokens(markdown: str) -> list[Token]:
    return MarkdownIt("commonmark").parse(markdown)


def shown(inline: Token) -> str:
    """The text a reader sees in an inline token, a line break as a newline."""
    out = []
    for child in inline.children or []:
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append("\n")
        elif child.type not in ("strong_open", "strong_close", "em_open", "em_close"):
            raise AssertionError(f"unexpected {child.type} token: {child.content!r}")
    return "".join(out)


def no_html(found: list[Token]) -> None:
    every = found + [c for t in found for c in t.children or []]
    assert [t for t in every if t.type.startswith("html")] == []
    assert [t for t in every if t.type in ("link_open", "image", "code_block", "fence")] == []


def headings(found: list[Token]) -> list[tuple[str, str]]:
    return [
        (token.tag, shown(found[index + 1]))
        for index, token in enumerate(found)
        if token.type == "heading_open"
    ]


def paragraphs(found: list[Token]) -> list[str]:
    return [
        shown(found[index + 1])
        for index, token in enumerate(found)
        if token.type == "paragraph_open" and token.level == 0
    ]


def items(found: list[Token]) -> list[str]:
    """The text of every bullet list item (its first paragraph)."""
    return [
        shown(found[index + 2])
        for index, token in enumerate(found)
        if token.type == "list_item_open"
    ]


def lists_follow_blank_lines(markdown: str, found: list[Token]) -> None:
    """Python-Markdown reads a list only after a blank line: check every top-level one."""
    lines = markdown.split("\n")
    for token in found:
        if token.type == "bullet_list_open" and token.level == 0:
            assert token.map is not None
            start = token.map[0]
            assert start == 0 or lines[start - 1] == "", f"no blank line before {lines[start]!r}"
    assert [t for t in found if t.type == "ordered_list_open"] == []


def safe(markdown: str) -> None:
    raw = sorted({f"U+{ord(c):04X}" for c in markdown if c not in "\n\t" and is_hidden(c)})
    assert raw == []


# --- the escaping function ----------------------------------------------------------------


@pytest.mark.parametrize("line", HOSTILE_LINES)
def test_one_line_of_user_text_stays_one_literal_paragraph(line: str) -> None:
    found = tokens(escaped(line))
    assert [t.type for t in found] == ["paragraph_open", "inline", "paragraph_close"]
    assert shown(found[1]) == visible(line).strip()
    no_html(found)


@pytest.mark.parametrize("line", HOSTILE_LINES)
def test_user_text_in_a_heading_or_list_item_stays_literal(line: str) -> None:
    found = tokens(f"## {one_line(line)}\n\n- {escaped(line, indent='  ')}\n")
    assert headings(found) == [("h2", visible(line).strip())]
    assert items(found) == [visible(line).strip()]
    no_html(found)


def test_many_lines_stay_in_their_list_item_with_their_breaks() -> None:
    text = "\n".join(HOSTILE_LINES[:12]) + "\n\n\nafter blank lines"
    found = tokens(f"- {escaped(text, indent='  ')}\n- next\n")
    lines = [visible(line).strip() for line in HOSTILE_LINES[:12]] + ["after blank lines"]
    assert items(found) == ["\n".join(lines), "next"]
    assert [t.type for t in found].count("bullet_list_open") == 1
    no_html(found)


# --- the decision log ---------------------------------------------------------------------

HOSTILE_TITLE = "<script>alert('x')</script> *Avalara* #1"
HOSTILE_CONTEXT = "# Budget\n> quoted\n- a point\n\n1. first"


@pytest.fixture
def hostile_log(store: Store, team: dict[str, int]) -> str:
    eng = team["eng"]
    at = dt.datetime(2026, 11, 13, 10, tzinfo=dt.UTC)
    with store.write() as session:
        from sqlalchemy import text

        # What plain SQL can write on a shared database, where no form checks it.
        session.execute(
            text("UPDATE decision SET title = :t, context = :c WHERE id = :i"),
            {"t": HOSTILE_TITLE, "c": HOSTILE_CONTEXT, "i": team["avalara"]},
        )
        session.execute(
            text("UPDATE person SET name = :n WHERE id = :i"),
            {"n": "Jonas \x1b]0;owned\x07 <b>Brandt</b>", "i": team["jonas"]},
        )
    decisions.move(store, team["avalara"], "decided", at=at, outcome="Avalara\n===\none year",
                   on=dt.date(2026, 11, 12))  # fmt: skip
    decisions.mark_informed(
        store, team["avalara"], [team["jonas"]], on=dt.date(2026, 11, 13), at=at
    )
    log_checkin(
        store,
        CheckInDraft(engagement_id=eng, at=at, cadence_id=team["weekly"],
                     attendee_ids=(team["dana"],), communicated_ids=(team["avalara"],)),
    )  # fmt: skip
    return decisions.decisions_markdown(store, eng, NOW.date())


def test_the_decision_log_keeps_user_text_literal(hostile_log: str) -> None:
    found = tokens(hostile_log)
    no_html(found)
    safe(hostile_log)
    lists_follow_blank_lines(hostile_log, found)
    assert headings(found) == [
        ("h1", "Decision log: Trailhead US"),
        ("h2", "Decisions"),
        ("h3", HOSTILE_TITLE),
        ("h3", "Code freeze over Black Friday"),
    ]
    found_paragraphs = paragraphs(found)
    assert "Context. " + visible(HOSTILE_CONTEXT).replace("\n\n", "\n") in found_paragraphs
    assert "Outcome. Avalara\n===\none year" in found_paragraphs


def test_told_and_still_to_tell_are_separate_paragraphs_with_years(hostile_log: str) -> None:
    found = paragraphs(tokens(hostile_log))
    jonas = visible("Jonas \x1b]0;owned\x07 <b>Brandt</b>")
    assert f"Told: {jonas} (2026-11-13)" in found
    assert "Still to tell: Inês Carvalho" in found
    assert "Discussed: 2026-11-13" in found
    for paragraph in found:
        # Every date carries its year (the "As of" line spells the month out).
        assert not re.search(
            r"\b\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b(?! \d{4})", paragraph
        )


def test_the_decision_log_facts_are_one_bullet_list(hostile_log: str) -> None:
    found = tokens(hostile_log)
    facts = items(found)
    assert "Status: decided" in facts and "Decided: 2026-11-12" in facts
    assert [t.type for t in found].count("bullet_list_open") == 2  # one per item


# --- the briefing -------------------------------------------------------------------------


@pytest.fixture
def hostile_briefing(store: Store, team: dict[str, int]) -> tuple[str, dict[str, int]]:
    eng = team["eng"]
    with store.write() as session:
        from sqlalchemy import text

        session.execute(
            text("UPDATE person SET name = :n, role = :r WHERE id = :i"),
            {"n": "Inês <img src=x onerror=alert(1)>", "r": "# architect", "i": team["ines"]},
        )
    log_checkin(
        store,
        CheckInDraft(engagement_id=eng, at=dt.datetime(2026, 11, 18, 10, tzinfo=dt.UTC),
                     attendee_ids=(team["ines"], team["jonas"]), outcome="# Agreed\n- the API",
                     mood=3, next_steps=(NextStepLine("<i>Send</i> the spec", team["ines"],
                                                      dt.date(2026, 11, 19)),)),
    )  # fmt: skip
    edits.save_decision(
        store, eng, edits.DecisionValues(title="> Pick the tax engine", owner_id=team["ines"])
    )
    edits.save_note(
        store,
        edits.NoteValues(person_id=team["ines"], on=dt.date(2026, 10, 9),
                         text="Two kids\n\n* twins", pinned=True),
    )  # fmt: skip
    return briefing_markdown(brief_person(store, eng, team["ines"], NOW)), team


def check_briefing(markdown: str, name: str) -> dict[str, Any]:
    """The common shape of every briefing; what it found, for the test to look into."""
    found = tokens(markdown)
    no_html(found)
    safe(markdown)
    lists_follow_blank_lines(markdown, found)
    titles = headings(found)
    assert titles[0][0] == "h1" and titles[0][1].startswith("Briefing: ")
    assert any(tag == "h2" and text.startswith(name) for tag, text in titles[1:])
    return {"headings": titles, "paragraphs": paragraphs(found), "items": items(found)}


def test_the_briefing_keeps_user_text_literal(
    hostile_briefing: tuple[str, dict[str, int]],
) -> None:
    markdown, _ = hostile_briefing
    name = "Inês <img src=x onerror=alert(1)>"
    found = check_briefing(markdown, name)
    assert found["headings"] == [
        ("h1", f"Briefing: {name}"),
        ("h2", f"{name} (# architect, partner)"),
    ]
    assert "Last time: ad-hoc call, 2026-11-18, mood 3: # Agreed\n- the API" in found["paragraphs"]
    for heading in ("Open next steps:", "Decisions they own:", "Notes:"):
        assert heading in found["paragraphs"]
    assert "<i>Send</i> the spec (due 2026-11-19, overdue)" in found["items"]
    assert "> Pick the tax engine" in found["items"]
    assert "Two kids\n* twins (pinned; personal, 2026-10-09)" in found["items"]


def test_a_cadence_briefing_parses_the_same_way(store: Store, team: dict[str, int]) -> None:
    markdown = briefing_markdown(brief_cadence(store, team["eng"], team["weekly"], NOW))
    check_briefing(markdown, "Jonas Brandt")
