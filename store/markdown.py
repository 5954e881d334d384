"""Database text made literal in Markdown, for CommonMark and Python-Markdown renderers alike.

Every piece of user text in a Markdown output (the decision log, the briefing) goes through
`escaped`: a title holding `<script>` must stay text, and a context line starting with `#`
must not become a heading. Only escapes both renderers understand are used: a backslash before
`\\ ` * _ [ ] # + - . ! ( ) >`, and character references for `<`, `&` and a line's leading `=`
or `~` (Python-Markdown shows a backslash before those literally). Controls, bidi and
zero-width characters become visible (store.text) first.
"""

from __future__ import annotations

import re

from store.text import visible

# Anywhere in a line: what starts emphasis, code, links, images, raw HTML or an entity.
_INLINE = str.maketrans(
    {
        "\\": "\\\\",
        "`": "\\`",
        "*": "\\*",
        "_": "\\_",
        "[": "\\[",
        "]": "\\]",
        "#": "\\#",  # a heading's closing sequence too
        "<": "&lt;",
        "&": "&amp;",
    }
)
# At the start of a line: a block quote, a list item, a setext underline or a code fence.
_LEADING = {"-": "\\-", "+": "\\+", ">": "\\>", "=": "&#61;", "~": "&#126;"}
_ORDERED = re.compile(r"(\d+)([.)])")


def _line(line: str) -> str:
    line = line.strip().translate(_INLINE)
    if not line:
        return line
    if line[0] in _LEADING:
        return _LEADING[line[0]] + line[1:]
    if match := _ORDERED.match(line):  # "1." or "1)" would start an ordered list
        return f"{match[1]}\\{match[2]}{line[match.end() :]}"
    return line


def escaped(text: str, *, indent: str = "") -> str:
    """`text` as literal Markdown inline content: its lines kept as hard line breaks, blank
    lines dropped (a blank line would end the paragraph or list item), lines after the first
    indented by `indent` so that they stay inside a list item."""
    lines = [escaped_line for line in visible(text).split("\n") if (escaped_line := _line(line))]
    return f"  \n{indent}".join(lines)


def one_line(text: str) -> str:
    """`text` as literal Markdown on one line (a heading, a list of names)."""
    return " ".join(_line(line) for line in visible(text).split("\n") if line.strip())
