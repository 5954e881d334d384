"""`rapport forget PERSON`: erase a person after asking (or with --yes), and say what went.

Nothing here imports Textual, so the command starts fast.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from store.db import Store
    from store.privacy import Footprint

EXIT_OK = 0
EXIT_BAD_INPUT = 1


def run_forget(store: Store, args: argparse.Namespace) -> int:
    from store.privacy import (
        PersonNotFound,
        find_person,
        footprint,
        forget_person,
        mention_count,
        plain,
    )
    from tui.commands import Problems, choose_engagement

    try:
        try:
            engagement = choose_engagement(store, args.engagement)
            person_id = find_person(store, engagement.id, args.person)[0]
            found = footprint(store, person_id)
        except Problems as problems:
            for message in problems.messages:
                print(f"rapport: {message}", file=sys.stderr)
            return EXIT_BAD_INPUT
        except PersonNotFound as error:
            print(f"rapport: {error}", file=sys.stderr)
            return EXIT_BAD_INPUT
        question = f"Erase {plain(found.name)} ({found.key}) and {found.removed()}?"
        if unowned := found.unowned():
            question += f" {unowned[0].upper()}{unowned[1:]}."
        if found.mentions:
            _list_mentions(found)
            if args.redact_mentions:
                question += f" Their name will be replaced with [erased] in {mention_count(found)}."
            else:
                question += (
                    f" {mention_count(found).capitalize()} keep their name "
                    "(--redact-mentions replaces it with [erased])."
                )
        if not args.yes and not _confirmed(f"{question} [y/N] "):
            print(
                "rapport: nothing erased (confirm with y, or pass --yes when not at a terminal)",
                file=sys.stderr,
            )
            return EXIT_BAD_INPUT
        try:
            print(forget_person(store, person_id, redact_mentions=args.redact_mentions))
        except PersonNotFound as error:  # erased meanwhile, from another window
            print(f"rapport: {error}", file=sys.stderr)
            return EXIT_BAD_INPUT
        return EXIT_OK
    finally:
        store.close()


MENTIONS_SHOWN = 20


def _list_mentions(found: Footprint) -> None:
    """Where others' texts name the person, before anything is erased (on stderr, as the
    question: stdout says what was done)."""
    from store.privacy import mention_count

    lines = [f"Their name appears in {mention_count(found)}:"]
    lines += [f"  {mention}" for mention in found.mentions[:MENTIONS_SHOWN]]
    if len(found.mentions) > MENTIONS_SHOWN:
        lines.append(f"  … and {len(found.mentions) - MENTIONS_SHOWN} more")
    print("\n".join(lines), file=sys.stderr)


def _confirmed(question: str) -> bool:
    """Ask on the terminal; no terminal, end of input or anything but y/yes is a no."""
    if sys.stdin is None or not sys.stdin.isatty():
        return False
    sys.stderr.write(question)
    sys.stderr.flush()
    answer = sys.stdin.readline()
    if not answer:  # end of input
        sys.stderr.write("\n")
        return False
    return answer.strip().casefold() in ("y", "yes")
