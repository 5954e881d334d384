"""The files rapport writes: whole or not at all, private, and no leftovers."""

from __future__ import annotations

import errno
import os
import shutil
import stat
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import REPO, SAMPLE

from store.files import make_private_folder, remove_stale_temporaries, write_private
from tui.__main__ import EXIT_BAD_INPUT, EXIT_OK, main

# About files on this machine's disk, not about a database's backend.
pytestmark = pytest.mark.sqlite_only


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def fails_in(folder: Path, name: str, after: int) -> Callable[..., int]:
    """`os.write` (or `os.fsync`) that fails with ENOSPC for files in `folder` once `after`
    bytes went to them, as a full disk does; every other file is written as usual."""
    real = getattr(os, name)
    written = [0]

    def fake(fd: int, *data: bytes) -> int:
        try:
            where = Path(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:
            return real(fd, *data)
        if where.parent != folder:
            return real(fd, *data)
        if written[0] >= after:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        if not data:
            return real(fd)
        chunk = bytes(data[0])[: max(1, after - written[0])]
        written[0] += len(chunk)
        return real(fd, chunk)

    return fake


@pytest.fixture
def exported(db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Iterator[Path]:
    """The sample's export in exports/out.toml: the previous good export."""
    assert main(["--db", str(db_path), "import", str(SAMPLE)]) == EXIT_OK
    folder = tmp_path / "exports"
    folder.mkdir()
    out = folder / "out.toml"
    assert main(["--db", str(db_path), "export", str(out)]) == EXIT_OK
    capsys.readouterr()
    yield out


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to see which file")
@pytest.mark.parametrize("call", ["write", "fsync"])
def test_an_export_onto_a_full_disk_keeps_the_previous_export(
    call: str,
    db_path: Path,
    exported: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = exported.read_bytes()
    after = 4096 if call == "write" else 0
    monkeypatch.setattr(os, call, fails_in(exported.parent, call, after))
    code = main(["--db", str(db_path), "export", "--decisions-md", str(exported)])
    monkeypatch.undo()
    _out, err = capsys.readouterr()
    assert code == EXIT_BAD_INPUT
    assert err == (
        f"rapport: cannot write {exported}: No space left on device; "
        "the file that was there is unchanged\n"
    )
    assert exported.read_bytes() == before
    assert sorted(p.name for p in exported.parent.iterdir()) == ["out.toml"]


def test_an_export_onto_a_full_tmpfs_keeps_the_previous_export(
    db_path: Path, exported: Path, tmp_path: Path
) -> None:
    """The same on a real full filesystem: a 256 KiB tmpfs in a mount namespace of its own."""
    if shutil.which("unshare") is None:
        pytest.skip("needs unshare(1) to mount a small tmpfs")
    small = tmp_path / "small"
    small.mkdir()
    script = textwrap.dedent(
        """
        import os, sys
        from pathlib import Path
        from tui.__main__ import main
        db, small = sys.argv[1], Path(sys.argv[2])
        # A previous export, smaller than the new one: truncating it frees too little room.
        previous = Path(sys.argv[3]).read_bytes()[:2000]
        out = small / "out.toml"
        out.write_bytes(previous)
        filler = os.open(small / "filler", os.O_CREAT | os.O_WRONLY)  # the disk fills up
        try:
            while os.write(filler, b"x" * 4096):
                pass
        except OSError:
            os.close(filler)
        code = main(["--db", db, "export", str(out)])
        print(code, out.read_bytes() == previous, sorted(os.listdir(small)))
        """
    )
    done = subprocess.run(
        [
            "unshare", "-m", "sh", "-c",
            'mount -t tmpfs -o size=256k tmpfs "$1" || exit 77; shift; exec "$@"',
            "sh", str(small), sys.executable, "-c", script,
            str(db_path), str(small), str(exported),
        ],
        capture_output=True, text=True, cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=120,
    )  # fmt: skip
    if done.returncode == 77 or "unshare failed" in done.stderr:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{EXIT_BAD_INPUT} True ['filler', 'out.toml']\n"
    assert "No space left on device" in done.stderr


def test_write_private_writes_a_new_file_whole_and_private(tmp_path: Path) -> None:
    path = tmp_path / "report.md"
    write_private(path, "Zoë\n")
    assert path.read_bytes() == "Zoë\n".encode()
    assert mode(path) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md"]


def test_write_private_replaces_the_file_a_link_names(tmp_path: Path) -> None:
    real = tmp_path / "real.toml"
    real.write_text("old\n")
    link = tmp_path / "link.toml"
    link.symlink_to(real)
    write_private(link, "new\n")
    assert link.is_symlink()
    assert real.read_text() == "new\n"
    assert mode(real) == 0o600


def test_write_private_writes_into_what_is_not_a_file(tmp_path: Path) -> None:
    # A pipe (as /dev/stdout often is) cannot be renamed over: it is written to as it is.
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        write_private(fifo, "through the pipe\n")
        assert os.read(reader, 100) == b"through the pipe\n"
    finally:
        os.close(reader)
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_folders_rapport_creates_are_private_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        make_private_folder(tmp_path / "a" / "b" / "c")
    finally:
        os.umask(old)
    for folder in ("a", "a/b", "a/b/c"):
        assert mode(tmp_path / folder) == 0o700, folder


def test_a_new_database_folder_is_private_whatever_the_umask(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "home" / "data" / "rapport" / "rapport.db"
    old = os.umask(0)
    try:
        assert main(["--db", str(db), "import", str(SAMPLE)]) == EXIT_OK
    finally:
        os.umask(old)
    for folder in (db.parent, db.parent.parent, db.parent.parent.parent):
        assert mode(folder) == 0o700, folder
    assert mode(db) == 0o600


def test_stale_temporaries_of_gone_processes_are_removed(tmp_path: Path) -> None:
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    dead = int(gone.stdout)
    names = {
        "cut": f".rapport.db.backup-20261120T103000Z-rev0001.tmp-{dead}-0",
        "cut_wal": f".rapport.db.backup-20261120T103000Z-rev0001.tmp-{dead}-0-wal",
        "restore": f".rapport.db.tmp-{dead}-0",
        "live": f".rapport.db.backup-20261120T103000Z.tmp-{os.getppid()}-0",
        "other": f".notes.txt.tmp-{dead}-0",
        "kept": "rapport.db.backup-20261120T103000Z",
    }
    for name in names.values():
        (tmp_path / name).write_bytes(b"personal notes")
    removed = remove_stale_temporaries(tmp_path, "rapport.db")
    assert sorted(p.name for p in removed) == sorted(
        [names["cut"], names["cut_wal"], names["restore"]]
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [names["live"], names["other"], names["kept"]]
    )
    # A live process's temporary is left over too once it is a day old (its number reused).
    os.utime(tmp_path / names["live"], (0, 0))
    assert remove_stale_temporaries(tmp_path, "rapport.db") == [tmp_path / names["live"]]


def test_a_crash_report_is_written_whole_into_private_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui import crash

    folder = tmp_path / "state" / "rapport" / "log"
    monkeypatch.setattr(crash, "crash_folder", lambda: folder)
    old = os.umask(0)
    try:
        report = crash.write_report(ValueError("a file name with \udcff in it"))
    finally:
        os.umask(old)
    assert report is not None and report.parent == folder
    assert "ValueError: a file name with \\udcff in it" in report.read_text()
    assert [mode(p) for p in (folder.parent.parent, folder.parent, folder)] == [0o700] * 3
    assert mode(report) == 0o600
    assert [p.name for p in folder.iterdir()] == [report.name]  # no temporary left
