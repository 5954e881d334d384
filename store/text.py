"""Text from the database made visible: the one table of characters that must never reach a
terminal or a file raw (C0 and C1 controls, ESC, bidi overrides and isolates, zero-width)."""

from __future__ import annotations

_UNSAFE = {
    code: "\ufffd"
    for code in (
        *range(0x00, 0x20),
        *range(0x7F, 0xA0),
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
        *range(0x200B, 0x200E),
        0x2060,
        0xFEFF,
    )
    if chr(code) not in "\n\t"
}


def visible(text: str) -> str:
    """`text` with every unsafe character replaced by U+FFFD, so it shows instead of acting."""
    return text.translate(_UNSAFE)
