"""The command line outside import/export: version, help, usage errors, unopenable databases."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.__main__ import EXIT_BAD_INPUT, EXIT_USAGE, main


def test_version_and_help_exit_zero(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as version:
        main(["--version"])
    assert version.value.code == 0
    assert capsys.readouterr().out.startswith("rapport ")
    with pytest.raises(SystemExit) as helped:
        main(["--help"])
    assert helped.value.code == 0
    out = capsys.readouterr().out
    for word in ("--db", "--demo", "--screen", "import", "export"):
        assert word in out


@pytest.mark.parametrize(
    "argv", [["--bogus"], ["--screen", "nowhere"], ["import"], ["--demo", "export"]]
)
def test_usage_errors_exit_two(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == EXIT_USAGE
    assert "usage: rapport" in capsys.readouterr().err


def test_a_file_that_is_not_a_database_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bogus = tmp_path / "notes.txt"
    bogus.write_bytes(b"this is not a database, it is a shopping list" * 100)
    before = bogus.read_bytes()
    assert main(["--db", str(bogus), "export"]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert f"rapport: cannot open the database {bogus}: file is not a database" in err
    assert "Traceback" not in err
    assert bogus.read_bytes() == before


def test_a_url_password_is_never_printed(capsys: pytest.CaptureFixture[str]) -> None:
    url = "postgresql+nosuchdriver://lead:hunter2@127.0.0.1:1/rapport"
    assert main(["--db", url, "export"]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "hunter2" not in err
    assert "cannot open the database postgresql+nosuchdriver://lead:***@127.0.0.1:1" in err


def test_rapport_db_environment_variable_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "from-env.db"
    monkeypatch.setenv("RAPPORT_DB", str(target))
    assert main(["export"]) == EXIT_BAD_INPUT  # empty: nothing to export
    assert target.exists()
    assert "no engagement" in capsys.readouterr().err.lower()


def test_an_unknown_engagement_to_open_is_refused_before_the_app_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from store import edits
    from store.db import Store

    db = tmp_path / "r.db"
    store = Store.open(str(db))
    edits.save_engagement(store, edits.EngagementValues(key="alpha", name="Alpha", client="A"))
    store.close()
    assert main(["--db", str(db), "--engagement", "nope"]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert (
        err
        == "rapport: --engagement: no engagement has the key 'nope'; the database holds: alpha\n"
    )


def test_the_cyclic_gc_is_off_while_the_app_starts_and_on_once_it_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    import tui.__main__ as cli
    from tui.app import RapportApp

    seen: dict[str, tuple[bool, int]] = {}
    open_store = cli.open_store

    def opening(*args: object, **options: object) -> object:
        seen["opening"] = (gc.isenabled(), gc.get_freeze_count())
        return open_store(*args, **options)  # type: ignore[arg-type]

    def running(app: RapportApp) -> None:
        seen["running"] = (gc.isenabled(), gc.get_freeze_count())

    monkeypatch.setattr(cli, "open_store", opening)
    monkeypatch.setattr(RapportApp, "run", running)
    assert gc.isenabled()
    try:
        assert main(["--db", str(tmp_path / "new.db")]) == 0
        assert seen["opening"][0] is False  # the imports and the store's opening: off
        assert seen["running"][0] is True and seen["running"][1] > 0  # frozen, then on
        assert gc.isenabled()
        # A subcommand leaves it alone (this one fails: there is nothing to export).
        seen.clear()
        assert main(["--db", str(tmp_path / "new.db"), "export"]) == EXIT_BAD_INPUT
        assert seen["opening"][0] is True and gc.isenabled()
    finally:
        gc.unfreeze()
        gc.enable()


def test_the_app_starts_checking_its_file_before_importing_sqlalchemy(tmp_path: Path) -> None:
    """The check reads the whole file (0.15 s at L): begun first, it runs beside the imports
    instead of after SQLAlchemy's."""
    import subprocess
    import sys

    from store.db import Store

    target = tmp_path / "x.db"
    Store.open(str(target)).close()
    probe = (
        "import sys\n"
        "import store.filecheck as check\n"
        "from tui.__main__ import main\n"
        "def started(self, target):\n"
        "    print('sqlalchemy' in sys.modules, target)\n"
        "    raise SystemExit(0)\n"
        "check.BackgroundCheck.__init__ = started\n"
        f"main(['--db', {str(target)!r}])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split() == ["False", str(target)]
