"""Text from the database made safe to show: the one rule for every way to the terminal.

Another writer (an older version, a hand edit, another lead on PostgreSQL) can put anything
into a name or a note. On a terminal, an escape sequence in it could set the window title,
write into the clipboard or clear the screen; a bidi override makes text read as something
else; a zero-width character makes two names look the same. `visible` replaces each such
character with a visible mark, so it is seen and never acts. The screens, the shell commands
and the exports all use it; nothing here imports Textual.
"""

from __future__ import annotations

import unicodedata

MARK = "\ufffd"  # what an unsafe or invisible character is shown as

# Control (Cc) and format (Cf: zero-width, bidi, soft hyphen, tags …) characters, lone
# surrogates (Cs: they cannot even be encoded for the terminal) and the line and paragraph
# separators, which the terminal does not treat as line breaks.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
# Letters that draw nothing (Hangul fillers) and marks that change nothing on their own
# (the combining grapheme joiner): as invisible as U+200B, though Unicode files them as text.
_BLANK = frozenset("\u034f\u115f\u1160\u3164\uffa0")
# What a multi-line text widget shows as itself; everything else on a line is shown.
_LAYOUT = "\n\t"


def is_hidden(char: str) -> bool:
    """Whether `char` acts on the terminal or draws nothing (whitespace aside)."""
    return char in _BLANK or unicodedata.category(char) in _HIDDEN_CATEGORIES


def visible(text: str) -> str:
    """`text` with every control, format and invisible character shown as U+FFFD.

    Newlines and tabs stay: the widgets that show several lines lay them out. So do the
    joiners that build one emoji (👩🏽‍💻, a flag made of tags) or shape a word in the
    scripts that write with them (Persian, Hindi): there they are part of the text.
    """
    if text.isprintable() and _BLANK.isdisjoint(text):  # nearly all text: nothing to do
        return text
    return "".join(
        MARK if char not in _LAYOUT and is_hidden(char) and not _joins(text, index) else char
        for index, char in enumerate(text)
    )


ZWNJ, ZWJ = "\u200c", "\u200d"
_FLAG, _TAG_END = "\U0001f3f4", "\U000e007f"  # 🏴 + tag letters + cancel tag: 🏴󠁧󠁢󠁳󠁣󠁴󠁿


def _in_joining_script(char: str) -> bool:
    # Arabic, Syriac, Thaana, N'Ko … and the Indic scripts up to Sinhala use ZWJ and ZWNJ to
    # choose a letter's shape; Latin, Greek or Cyrillic never need them.
    return "\u0600" <= char <= "\u0dff" or "\ufb50" <= char <= "\ufdff"


def _is_emoji(char: str) -> bool:
    return unicodedata.category(char) == "So" or "\U0001f3fb" <= char <= "\U0001f3ff"


def _joins(text: str, index: int) -> bool:
    """Whether the format character at `index` is part of what its neighbours draw."""
    char = text[index]
    before = text[index - 1] if index > 0 else ""
    after = text[index + 1] if index + 1 < len(text) else ""
    if char in (ZWJ, ZWNJ) and before and after:
        if _in_joining_script(before) and _in_joining_script(after):
            return True
        # 👩 + 🏽 + ZWJ + 💻; the emoji presentation selector may come before the joiner.
        return char == ZWJ and _is_emoji(after) and (_is_emoji(before) or before == "\ufe0f")
    if "\U000e0020" <= char <= _TAG_END:
        start = index
        while start > 0 and "\U000e0020" <= text[start - 1] <= _TAG_END:
            start -= 1
        end = index
        while end + 1 < len(text) and "\U000e0020" <= text[end + 1] < _TAG_END:
            end += 1
        closed = end + 1 < len(text) and text[end + 1] == _TAG_END or char == _TAG_END
        return start > 0 and text[start - 1] == _FLAG and closed
    return False


def visible_line(text: str) -> str:
    """`text` safe for one line (a title, a notice, a printed name): line breaks are spaces."""
    return visible(text).replace("\n", " ").replace("\t", " ")


def escaped(value: str) -> str:
    """`value` quoted for an error line that names what was typed: each hidden character is
    written as its escape (`\\u200b`), so the person sees exactly what to remove."""
    text = "".join(
        char.encode("unicode_escape").decode("ascii") if is_hidden(char) else char for char in value
    )
    return f'"{text}"'
