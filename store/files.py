"""The files rapport writes: private (0600, folders 0700), and never half-written.

Every file is written to a temporary file in the target's own folder, synced, and renamed
over the target: on a full disk or a kill the previous file stays whole, and a file that
exists under its name is complete. Temporaries are named `.NAME.tmp-PID-N`, so that the
next start can tell a dead process's leftovers (which can hold personal notes) from a live
one's and remove them. Nothing here imports SQLAlchemy: backups and the file check use it.
"""

from __future__ import annotations

import os
import re
import stat
import time
from pathlib import Path

# A temporary whose process is gone is left over; one older than this is too, whoever's
# number its process has now (numbers are reused).
STALE_AFTER_S = 24 * 3600
_TEMP = re.compile(r"\.(?P<name>.+)\.tmp-(?P<pid>\d+)-\d+(?:-wal|-shm|-journal)?")


def make_private_folder(folder: Path) -> None:
    """Create `folder` and each missing parent 0700, whatever the umask.

    `Path.mkdir(parents=True)` gives the parents the umask's mode (0777 under umask 000)
    and leaves the mode of the last one to the umask as well.
    """
    missing: list[Path] = []
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            break
        missing.append(candidate)
    for candidate in reversed(missing):
        try:
            candidate.mkdir(mode=0o700)
        except FileExistsError:
            continue  # made meanwhile by another process: its mode is its maker's
        os.chmod(candidate, 0o700)  # the umask may have taken bits off, never added them


def private_temp(folder: Path, name: str) -> Path:
    """A new empty file, 0600, in `folder` (so that renaming it into place is atomic)."""
    for n in range(100):
        candidate = folder / f".{name}.tmp-{os.getpid()}-{n}"
        try:
            fd = os.open(candidate, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            continue
        os.close(fd)
        return candidate
    raise FileExistsError(f"cannot create a temporary file in {folder}")


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # not every platform opens folders; the rename is done all the same
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def write_private(path: Path, text: str) -> None:
    """Write `text` to `path` (UTF-8, `\\n` line ends), readable by its owner only.

    The old file stays whole until the new one is complete and synced (OSError otherwise,
    with no temporary left behind). A link is followed, so the file it names is replaced;
    something that is not a regular file (a terminal, a pipe, /dev/stdout) is written to
    as it is, since it cannot be replaced and holds nothing to lose.
    """
    data = text.encode("utf-8")
    target = Path(os.path.realpath(path))
    try:
        special = not stat.S_ISREG(target.stat().st_mode)
    except FileNotFoundError:
        special = False
    if special:
        fd = os.open(target, os.O_WRONLY | os.O_APPEND)
        try:
            _write_all(fd, data)
        finally:
            os.close(fd)
        return
    tmp = private_temp(target.parent, target.name)
    try:
        fd = os.open(tmp, os.O_WRONLY)
        try:
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_folder(target.parent)


def _process_is_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # someone else's process: alive
        return False
    return False


def remove_stale_temporaries(folder: Path, name: str, *, now: float | None = None) -> list[Path]:
    """Remove the temporaries that rapport left beside `name` in `folder` (a copy cut off by
    a kill, its -wal and -shm): those of processes that are gone or older than a day."""
    now = time.time() if now is None else now
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    removed: list[Path] = []
    for entry in entries:
        match = _TEMP.fullmatch(entry.name)
        if match is None or not match["name"].startswith(name):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode):
            continue
        pid = int(match["pid"])
        mine = pid == os.getpid()
        if not mine and (_process_is_gone(pid) or now - info.st_mtime > STALE_AFTER_S):
            try:
                os.unlink(entry.path)
            except OSError:
                continue
            removed.append(Path(entry.path))
    return removed
