"""The one terminal-safety rule (store.text.visible) and every way to the terminal using it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from store.privacy import plain
from store.text import MARK, escaped, visible, visible_line
from tui.commands import shown
from tui.format import cell, safe, safe_line

# Each would act on a terminal, or draw nothing and make two names look alike.
HIDDEN = {
    "title": "\x1b]0;pwned\x07",
    "clipboard": "\x1b]52;c;cm0gLXJmIH4=\x07",
    "clear": "\x1b[2J",
    "csi-c1": "\x9b2J",
    "osc-c1": "\x9d0;pwned\x9c",
    "bidi-override": "\u202e",
    "bidi-isolate": "\u2067",
    "zero-width-space": "\u200b",
    "zero-width-joiner": "\u200d",
    "zero-width-non-joiner": "\u200c",
    "word-joiner": "\u2060",
    "byte-order-mark": "\ufeff",
    "soft-hyphen": "\u00ad",
    "left-to-right-mark": "\u200e",
    "tag-letter": "\U000e0041",
    "line-separator": "\u2028",
    "hangul-filler": "\u3164",
    "lone-surrogate": "\ud800",
    "delete": "\x7f",
    "nul": "\x00",
}

LEGITIMATE = [
    "Jürgen Müller", "山田太郎", "محمد الأحمد", "דוד כהן", "Ana 🏔️ Ruiz",
    "Priya 👩🏽‍💻 Raman", "Kai 🇩🇪 Vogel", "Flags 🏴󠁧󠁢󠁳󠁣󠁴󠁿 and families 👨‍👩‍👧 stay whole",
    "می\u200cخواهم",  # Persian writes with a zero-width non-joiner
    "क्\u200dष",  # and Devanagari with a joiner
    "❤️\u200d🔥",
    "Zoë\tund\nJonas",
]  # fmt: skip


def acts(text: str) -> list[str]:
    """Every character of `text` that the rule calls hidden, but for layout."""
    return [c for c in text if c not in "\n\t" and c != MARK and not (c.isprintable())]


@pytest.mark.parametrize("sequence", HIDDEN.values(), ids=HIDDEN.keys())
def test_every_hidden_character_is_shown_as_a_mark(sequence: str) -> None:
    shown_text = visible(f"Dana{sequence}Whitfield")
    assert shown_text.startswith("Dana") and shown_text.endswith("Whitfield")
    assert MARK in shown_text
    assert acts(shown_text) == []
    assert "\x1b" not in shown_text and "\x07" not in shown_text


@pytest.mark.parametrize("text", LEGITIMATE)
def test_legitimate_text_is_shown_as_it_is(text: str) -> None:
    assert visible(text) == text


def test_two_names_that_would_look_alike_look_different() -> None:
    assert visible("Dana Whitfield") != visible("Dana\u200b Whitfield")
    assert visible("\ufeffDana") == f"{MARK}Dana"


def test_joiners_outside_an_emoji_or_a_joining_script_are_shown() -> None:
    assert visible("Da\u200dna") == f"Da{MARK}na"
    assert visible("\u200d👩") == f"{MARK}👩"
    assert visible("🏴\U000e0067\U000e0062") == f"🏴{MARK}{MARK}"  # a flag never closed
    assert visible("x\U000e0067\U000e007f") == f"x{MARK}{MARK}"  # tags without the flag


def test_one_line_forms_turn_line_breaks_into_spaces() -> None:
    assert visible_line("a\nb\tc\x1b") == f"a b c{MARK}"
    assert safe_line("a\nb") == "a b"
    assert str(cell("a\nb\u200b")) == f"a b{MARK}"


@pytest.mark.parametrize("show", [safe, safe_line, plain, visible_line])
def test_every_way_to_the_terminal_uses_the_one_rule(show: object) -> None:
    assert callable(show)
    for sequence in HIDDEN.values():
        assert show(f"x{sequence}y") == visible_line(f"x{sequence}y")


def test_a_typed_value_in_an_error_line_names_each_hidden_character() -> None:
    assert shown("dana\u200b@client.example\x1b") == '"dana\\u200b@client.example\\x1b"'
    assert escaped("Zoë") == '"Zoë"'


def test_the_rule_is_importable_without_textual() -> None:
    code = "import store.text, sys; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
