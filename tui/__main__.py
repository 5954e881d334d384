"""The `rapport` command: parse the command line, build the store, run the app or a subcommand.

Textual and the screens are imported only when the app is actually opened, so `rapport export`
and friends start fast.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from store.db import Store
    from store.filecheck import BackgroundCheck, DamagedDatabase

EXIT_OK = 0
EXIT_BAD_INPUT = 1
EXIT_USAGE = 2
# The app stopped after an unexpected error (tui.crash): a script or a shell loop running
# rapport must not take that for a clean quit.
EXIT_CRASHED = 3

SCREENS = ("today", "roster", "cadence", "decisions", "notes")


class _VersionAction(argparse.Action):
    """`--version`, looked up only when asked (importlib.metadata costs every start ~15 ms)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, help="show the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *_args: object, **_kwargs: object) -> None:
        print(f"rapport {_version()}")
        parser.exit()


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("rapport-tui")
    except PackageNotFoundError:
        return "0+unknown"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rapport",
        description="A keyboard-driven dashboard for the lead of a remote client engagement.",
        epilog="The database is --db, else $RAPPORT_DB, else a file in your data directory. "
        "A value with :// is a SQLAlchemy URL (e.g. postgresql+psycopg://host/db).",
    )
    parser.add_argument("--version", action=_VersionAction)
    parser.add_argument("--db", metavar="PATH|URL", help="database file or SQLAlchemy URL")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="open a throwaway copy of the sample engagement (your data is not touched)",
    )
    parser.add_argument("--screen", choices=SCREENS, help="the screen to open on")
    parser.add_argument(
        "--engagement",
        dest="open_engagement",
        metavar="KEY",
        help="the engagement to open on (default: the first by name)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    imp = commands.add_parser(
        "import",
        help="import an engagement from a TOML file",
        description="Check the whole file, then import it in one transaction. An engagement "
        "with the file's key is replaced only with --replace, which first lists what the file "
        "removes, adds and changes (and the newest records only the database holds), backs "
        "the database up, and asks before anything is lost (--yes when not at a terminal).",
    )
    imp.add_argument("file", type=Path, metavar="FILE")
    imp.add_argument(
        "--dry-run",
        action="store_true",
        help="check the file and show what it replaces; write nothing",
    )
    imp.add_argument(
        "--replace",
        action="store_true",
        help="replace the engagement with the same key (shows the changes, backs up first)",
    )
    imp.add_argument(
        "--yes", action="store_true", help="replace even when data would be lost, without asking"
    )

    exp = commands.add_parser("export", help="export an engagement as TOML (or --ics)")
    exp.add_argument("file", type=Path, nargs="?", metavar="FILE", help="default: stdout")
    exp.add_argument("--engagement", metavar="KEY", help="which engagement (default: the only)")
    kind = exp.add_mutually_exclusive_group()
    kind.add_argument(
        "--ics", action="store_true", help="write the cadences as an iCalendar file instead"
    )
    kind.add_argument(
        "--decisions-md", action="store_true", help="write the decision log as Markdown instead"
    )
    kind.add_argument(
        "--person", metavar="KEY",
        help="everything stored about one person (key or name), as TOML instead",
    )  # fmt: skip

    log = commands.add_parser(
        "log",
        help="log a check-in (as the l form does)",
        description="Log a check-in: attendees come from --cadence unless --with names them.",
    )
    log.add_argument("--cadence", metavar="NAME", help="the cadence's key or name")
    log.add_argument(
        "--with", dest="attendees", metavar="KEY,KEY", help="who was there (alone: an ad-hoc call)"
    )
    log.add_argument("--outcome", required=True, metavar="TEXT", help="what came out of it")
    log.add_argument(
        "--when", default="now", help="now, 14:30, yesterday 16:00, tue 9:00, 2026-11-19 16:00"
    )
    log.add_argument("--mood", type=int, metavar="N", help="1 (bad) to 5 (great)")
    log.add_argument("--status", choices=("held", "skipped", "moved"), default="held")
    log.add_argument("--channel", choices=("video", "phone", "on-site", "chat"), default="video")
    log.add_argument(
        "--next", dest="next_steps", action="append", default=[], metavar='"OWNER: TEXT by DATE"',
        help="a next step (repeat for more)",
    )  # fmt: skip
    log.add_argument(
        "--decision", dest="decisions", action="append", default=[], metavar='"[OWNER:] TITLE"',
        help="a decision raised (repeat for more)",
    )  # fmt: skip
    log.add_argument(
        "--note", dest="notes", action="append", default=[], metavar='"NAME: TEXT"',
        help="a personal note on someone (repeat for more)",
    )  # fmt: skip
    log.add_argument(
        "--told", dest="told", action="append", default=[], metavar="DECISION",
        help="a decision communicated, by key or title: attendees who must be told are marked "
        "informed (repeat for more)",
    )  # fmt: skip
    log.add_argument("--engagement", metavar="KEY", help="which engagement (default: the only)")

    brief = commands.add_parser("brief", help="print the briefing on a cadence or person")
    brief.add_argument("name", metavar="NAME", help="a cadence's or a person's key or name")
    brief.add_argument("--engagement", metavar="KEY", help="which engagement (default: the only)")

    forget = commands.add_parser(
        "forget",
        help="erase a person and everything about them",
        description="Erase a person: their notes, attendance and decision marks, and their text "
        "from the database file. Backups made before keep their data.",
    )
    forget.add_argument("person", metavar="PERSON", help="the person's key or whole name")
    forget.add_argument("--engagement", metavar="KEY", help="which engagement (default: the only)")
    forget.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    forget.add_argument(
        "--redact-mentions", action="store_true",
        help='replace their name with "[erased]" in the texts of others that mention them',
    )  # fmt: skip

    backup = commands.add_parser(
        "backup",
        help="write a consistent copy of the database (safe while rapport is open)",
        description="Copy the SQLite database with VACUUM INTO; the copy is private (0600). "
        "An existing FILE is never overwritten.",
    )
    backup.add_argument(
        "file", type=Path, nargs="?", metavar="FILE",
        help="default: next to the database, named after it with a timestamp",
    )  # fmt: skip
    restore = commands.add_parser(
        "restore",
        help="replace the database with a backup (checked first; the current one is kept)",
        description="Check FILE (integrity, a rapport schema this version knows), keep a "
        "backup of the current database, put FILE in its place and upgrade it. Close rapport "
        "first.",
    )
    restore.add_argument("file", type=Path, metavar="FILE")

    admin = commands.add_parser(
        "admin",
        help="set up a team's PostgreSQL database (as its owner)",
        description="Run as the role that owns the database (the one that created its tables).",
    )
    actions = admin.add_subparsers(dest="admin_command", metavar="ACTION", required=True)
    grant = actions.add_parser(
        "grant",
        help="let a lead's role read and write the engagements; its private notes stay its own",
        description="Create ROLE (LOGIN, no password: set one with ALTER ROLE or use your "
        "server's authentication) if it does not exist, grant it the data, and make sure "
        "private notes are enforced by row-level security. Safe to run again, e.g. after an "
        "upgrade.",
    )
    grant.add_argument("role", metavar="ROLE", help="the lead's database role (a-z, 0-9, _)")
    return parser


def _fail(message: str) -> int:
    from store.text import visible

    # A message may name a file or quote a value: an ESC in either must not reach the terminal.
    print(f"rapport: {visible(message)}", file=sys.stderr)
    return EXIT_BAD_INPUT


class CannotOpen(Exception):
    """The database could not be opened; the message says which and why, without details."""


def damaged_message(error: DamagedDatabase) -> str:
    """The one message for a damaged file: which file, what is wrong (never its values),
    the newest backup that passes the check, and how to put it back."""
    hint = " (rapport restore FILE puts a backup in its place)" if error.newest_backup else ""
    return f"{error}{hint}"


def _sqlite_file(target: str) -> Path | None:
    from store.filecheck import sqlite_path_of

    path = sqlite_path_of(target)
    return None if path is None else Path(os.path.realpath(path))


def open_store(
    target: str,
    checked: BackgroundCheck | None = None,
    *,
    reads_only: bool = False,
    thorough: bool = False,
) -> Store:
    """The store for a command; `reads_only`: the command only reads, so a file that cannot
    be written (a read-only file or file system) is opened read-only instead of refused;
    `thorough`: check a SQLite file with the whole integrity_check, not only quick_check
    (an index that no longer matches its table leaves rows out of what is read)."""
    from sqlalchemy.exc import DBAPIError, SQLAlchemyError

    from store.db import DamagedDatabase, Store, display_target
    from store.filecheck import file_trouble, why_not_writable
    from store.migrate import MigrationError

    shown = display_target(target)
    path = _sqlite_file(target)
    read_only = reads_only and path is not None and why_not_writable(path) is not None
    try:
        store = Store.open(target, checked=checked, read_only=read_only)
    except DamagedDatabase as error:
        raise CannotOpen(damaged_message(error)) from None
    except MigrationError as error:
        raise CannotOpen(f"cannot open the database {shown}: {error}") from None
    except DBAPIError as error:
        from store.errors import driver_message

        trouble = None if path is None else file_trouble(path, error)
        # The driver's own words, never the statement, its parameters or a row's details.
        raise CannotOpen(
            trouble or f"cannot open the database {shown}: {driver_message(error)}"
        ) from None
    except (SQLAlchemyError, OSError, ImportError) as error:
        raise CannotOpen(f"cannot open the database {shown}: {error}") from None
    if thorough and path is not None:
        from store.filecheck import find_damage

        damage = find_damage(path)
        if damage is not None:
            store.close()
            raise CannotOpen(damaged_message(damage))
    for file, old in store.made_private:
        # Said once: the next start finds the file private already.
        print(
            f"rapport: {file} was readable by others (mode {old:04o}); "
            f"it is now readable by you only ({old & 0o700:04o})",
            file=sys.stderr,
        )
    return store


def run_import(store_target: str, args: argparse.Namespace) -> int:
    store = open_store(store_target)
    from store.io_toml import InvalidFile, preview_file, write_plan
    from store.text import visible

    try:
        preview = preview_file(store, args.file, replace=args.replace)
        replacement = preview.replacement
        if replacement is not None:
            print("\n".join(replacement.lines()))
        if args.dry_run:
            print(visible(f"Checked {preview.summary}"))
            return EXIT_OK
        if replacement is not None:
            from tui.forget import _confirmed

            question = "Replace it, losing what only the database holds? [y/N] "
            if replacement.loses_data and not args.yes and not _confirmed(question):
                return _fail(
                    "nothing replaced: it would remove or change what only the database holds "
                    "(confirm with y, or pass --yes when not at a terminal)"
                )
            from store.backup import BackupError
            from store.replacement import backup_before_replace

            try:
                kept = backup_before_replace(store, replacement.key)
            except (BackupError, OSError) as error:
                return _fail(f"nothing replaced: the backup before it failed: {error}")
            print(visible(f"Backed up the database to {kept}"))
        summary = write_plan(
            store,
            preview.plan,
            str(args.file),
            replace=args.replace,
            expected=None if replacement is None else replacement.fingerprint,
        )
    except InvalidFile as error:
        for line in error.messages:
            print(visible(line), file=sys.stderr)  # a message names the file, ESC and all
        return EXIT_BAD_INPUT
    finally:
        store.close()
    print(visible(f"Imported {summary}"))
    return EXIT_OK


def run_export(store_target: str, args: argparse.Namespace) -> int:
    """TOML (the default), the cadences as iCalendar (--ics) or the decision log (--decisions-md)."""
    # An export is a copy one keeps: it must not quietly leave out what a damaged index hides.
    store = open_store(store_target, reads_only=True, thorough=True)
    from store.export_toml import engagement_id_for
    from store.io_toml import ExportError, export_engagement, write_private

    try:
        if args.person is not None:
            from store.privacy import PersonNotFound, find_person, person_export

            engagement_id = engagement_id_for(store, args.engagement)
            try:
                person_id = find_person(store, engagement_id, args.person)[0]
                text = person_export(store, person_id, dt.datetime.now(dt.UTC))
            except PersonNotFound as error:
                raise ExportError(f"--person: {error}") from None
        elif args.ics or args.decisions_md:
            engagement_id = engagement_id_for(store, args.engagement)
            if args.ics:
                from store.ics import cadences_ics

                text = cadences_ics(store, engagement_id, dt.date.today()).decode("utf-8")
            else:
                from store.decisions import decisions_markdown

                text = decisions_markdown(store, engagement_id, dt.date.today())
        else:
            text = export_engagement(store, args.engagement)
    except ExportError as error:
        return _fail(str(error))
    finally:
        store.close()
    if args.file is None:
        # iCalendar lines end in CRLF; a POSIX text stream writes them unchanged.
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        existed = args.file.exists()
        try:
            write_private(args.file, text)  # exports hold names, emails and notes
        except OSError as error:
            kept = "; the file that was there is unchanged" if existed else ""
            return _fail(f"cannot write {args.file}: {error.strerror or error}{kept}")
    return EXIT_OK


def run_app(store_target: str, args: argparse.Namespace) -> int:
    from store.filecheck import BackgroundCheck

    # The file check reads the whole file; it runs while the app's modules are imported.
    checked = BackgroundCheck(store_target)
    from tui.app import RapportApp

    store = open_store(store_target, checked)
    engagement_id: int | None = None
    if args.open_engagement is not None:
        from store.export_toml import ExportError, engagement_id_for

        try:
            engagement_id = engagement_id_for(store, args.open_engagement)
        except ExportError as error:
            store.close()
            return _fail(f"--engagement: {error}")

    # Worker threads read the store while the user types; a shorter switch interval (5 ms by
    # default) hands the GIL back to the UI thread sooner, so keys answer while they work.
    sys.setswitchinterval(0.001)
    app = RapportApp(
        store,
        start_screen=args.screen,
        demo=args.demo,
        engagement_id=engagement_id,
        freeze_gc=True,
    )
    # What the imports made lives as long as the process: out of the cyclic GC's reach, a
    # full collection (which runs on some key, every few hundred) walks only what came after.
    gc.freeze()
    gc.enable()
    try:
        app.run()
    finally:
        store.close()
    # Textual sets a non-zero return code when it stops on an error (App._handle_exception).
    return EXIT_CRASHED if app.return_code else EXIT_OK


def open_demo(folder: Path) -> str:
    """A fresh database in `folder` holding the sample, dates shifted to today."""
    from store.db import Store
    from store.io_toml import load_sample

    target = str(folder / "demo.db")
    store = Store.open(target)
    try:
        load_sample(store, now=dt.datetime.now(dt.UTC))
    finally:
        store.close()
    return target


def run_backup(store_target: str, args: argparse.Namespace) -> int:
    """A consistent copy of the SQLite file, safe while the app is open on it."""
    from store.backup import BackupError, manual_backup, sqlite_file

    try:
        path = manual_backup(sqlite_file(store_target), args.file)
    except BackupError as error:
        return _fail(str(error))
    from store.text import visible

    print(visible(str(path)))
    return EXIT_OK


def run_restore(store_target: str, args: argparse.Namespace) -> int:
    """Replace the database with a checked backup, keep the one it replaces, upgrade."""
    from store.backup import BackupError, restore, sqlite_file

    try:
        db = sqlite_file(store_target)
        restored = restore(db, args.file)
    except BackupError as error:
        return _fail(str(error))
    kept = f"; the database it replaced is at {restored.previous}" if restored.previous else ""
    try:
        open_store(store_target).close()  # checks it and upgrades the schema to head
    except CannotOpen as error:
        return _fail(f"{error}{kept}")
    from store.text import visible

    print(visible(f"Restored {args.file} into {db}{kept}"))
    return EXIT_OK


def run_admin(store_target: str, args: argparse.Namespace) -> int:
    """`rapport admin grant ROLE`: a lead's role for a shared PostgreSQL database."""
    store = open_store(store_target)
    from store.postgres import AdminError, grant_lead

    try:
        granted = grant_lead(store.engine, args.role)
    except AdminError as error:
        return _fail(str(error))
    finally:
        store.close()
    print(granted)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is not None:
        return dispatch(parser, args)
    # Opening the app imports SQLAlchemy and Textual: some 60,000 objects that live as long
    # as the process. The cyclic GC walking them while they are made (a full collection,
    # 40-60 ms of the start-up) finds almost nothing to free, so it is off until run_app
    # has frozen them.
    gc.disable()
    try:
        return dispatch(parser, args)
    finally:
        gc.enable()


def dispatch(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    # Not from store.db, which imports SQLAlchemy: the app's check of the file starts first.
    from store.target import resolve_target

    if args.demo:
        if args.command:
            parser.error("--demo opens the app; it does not go with a command")
        import tempfile

        with tempfile.TemporaryDirectory(prefix="rapport-demo-") as folder:
            return run_app(open_demo(Path(folder)), args)

    target = resolve_target(args.db)
    try:
        if args.command == "import":
            return run_import(target, args)
        if args.command == "export":
            return run_export(target, args)
        if args.command == "backup":
            return run_backup(target, args)
        if args.command == "restore":
            return run_restore(target, args)
        if args.command == "admin":
            return run_admin(target, args)
        if args.command == "forget":
            from tui.forget import run_forget

            return run_forget(open_store(target), args)
        if args.command in ("log", "brief"):
            from tui.commands import run_brief, run_log

            if args.command == "brief":
                return run_brief(open_store(target, reads_only=True), args)
            return run_log(open_store(target), args)
        return run_app(target, args)
    except CannotOpen as error:
        return _fail(str(error))
    except Exception as error:  # noqa: BLE001 - the one place that turns surprises into a line
        from sqlalchemy.exc import DBAPIError, SQLAlchemyError

        path = _sqlite_file(target)
        if path is not None:
            from store.filecheck import file_trouble, find_damage

            # A damaged page surfaces as anything (a KeyError from an index that no
            # longer matches its table, text that is not UTF-8, a function that raised):
            # whatever went wrong on a damaged file is said as the damage, without values.
            damage = find_damage(path)
            if damage is not None:
                return _fail(damaged_message(damage))
            trouble = file_trouble(path, error)
            if trouble is not None:
                return _fail(trouble)
        if isinstance(error, DBAPIError):
            from store.errors import driver_message

            # The driver's words only: the statement, its parameters and PostgreSQL's DETAIL
            # (which can quote a whole row) may hold personal text.
            return _fail(f"database error: {driver_message(error)}")
        if isinstance(error, SQLAlchemyError | OSError):
            return _fail(f"{type(error).__name__}: {error}")
        raise


if __name__ == "__main__":
    sys.exit(main())
