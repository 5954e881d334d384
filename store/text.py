"""Text from the database made harmless wherever it leaves rapport for a terminal or a renderer.

One table for every output: C0 and C1 controls (ESC, CSI as U+009B, OSC as U+009D …), the bidi
overrides and isolates that make text read as something else, and the zero-width characters
that make two names look identical. Each becomes U+FFFD, visibly there and acting on nothing.
Newline and tab are kept: they are layout, not commands.
"""

from __future__ import annotations

UNSAFE_CODES: frozenset[int] = frozenset(
    code
    for code in (
        *range(0x00, 0x20),
        *range(0x7F, 0xA0),
        *range(0x200B, 0x200E),  # zero-width space, non-joiner, joiner
        *range(0x202A, 0x202F),
        0x2060,  # word joiner
        *range(0x2066, 0x206A),
        0xFEFF,  # zero-width no-break space (a BOM inside text)
    )
    if chr(code) not in "\n\t"
)
_VISIBLE = dict.fromkeys(UNSAFE_CODES, "\ufffd")


def visible(text: str) -> str:
    """`text` with every control, bidi and zero-width character replaced by U+FFFD."""
    return text.translate(_VISIBLE)
