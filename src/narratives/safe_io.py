"""Files in and out without surprises: read only regular files, write without losing one.

Users point narratives at folders they did not write and at output paths typed in a
hurry. Reading opens without blocking and checks what was opened (a FIFO, a device or
``/dev/zero`` behind a symlink is refused, not read forever) and caps sizes before
parsing. Writing follows symlinks to their target, writes devices and FIFOs directly,
and replaces a regular file only once its new content is complete on disk.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from narratives.errors import OutputError

__all__ = [
    "atomic_output",
    "file_kind",
    "first_clash",
    "open_regular",
    "read_regular",
    "replace_directory",
    "same_file",
]


#: Bytes read per call past a file's stated size (files that grow, or report size 0 like /proc).
_READ_CHUNK = 1 << 20


def file_kind(mode: int) -> str:
    """What a ``st_mode`` describes, in words for an error message."""
    kinds = (
        (stat.S_ISREG, "a regular file"),
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISLNK, "a symbolic link"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    )
    return next((name for test, name in kinds if test(mode)), "not a regular file")


def open_regular(path: str | Path, *, follow_symlinks: bool = True) -> int:
    """Open ``path`` for reading and return the descriptor, refusing anything but a regular file.

    ``O_NONBLOCK`` makes opening a FIFO return at once instead of waiting for a writer;
    the opened descriptor is then checked with ``fstat``, so a file swapped after a
    check cannot slip through. Raises ``OSError`` whose ``strerror`` says what was found.
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    if not follow_symlinks:
        before = os.lstat(path)
        if not stat.S_ISREG(before.st_mode):
            raise _not_regular(path, before.st_mode)
        flags |= os.O_NOFOLLOW
    descriptor = os.open(path, flags)
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise _not_regular(path, status.st_mode)
        if not follow_symlinks and (status.st_ino, status.st_dev) != (before.st_ino, before.st_dev):
            raise OSError(errno.EAGAIN, "changed while it was being opened", str(path))
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor


def read_regular(path: str | Path, *, limit: int | None = None, follow_symlinks: bool = True) -> bytearray:
    """The bytes of the regular file ``path``, refusing more than ``limit`` bytes before reading them.

    The bytes are read into one buffer of the file's size, so reading costs the file's
    size once (a plain ``read()`` grows its buffer and can briefly need more).
    """
    descriptor = open_regular(path, follow_symlinks=follow_symlinks)
    with open(descriptor, "rb", buffering=0, closefd=True) as file:
        size = os.fstat(descriptor).st_size
        if limit is not None and size > limit:
            raise OSError(errno.EFBIG, f"too large ({size:,} bytes; the limit is {limit:,})", str(path))
        data = bytearray(size)
        view = memoryview(data)
        done = 0
        while done < size and (count := file.readinto(view[done:])):
            done += count
        view.release()
        del data[done:]  # it shrank while we read, or it grew:
        while (limit is None or len(data) <= limit) and (chunk := file.read(_READ_CHUNK)):
            data += chunk
    if limit is not None and len(data) > limit:
        raise OSError(errno.EFBIG, f"too large (more than {limit:,} bytes)", str(path))
    return data


def _not_regular(path: str | Path, mode: int) -> OSError:
    return OSError(errno.EINVAL, f"not a regular file but {file_kind(mode)}; refused", str(path))


def same_file(a: str | Path, b: str | Path) -> bool:
    """Do ``a`` and ``b`` name the same file, after following symlinks (even for files not yet made)?"""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def first_clash(output: str | Path, others: Iterable[str | Path]) -> str | Path | None:
    """The first of ``others`` that is the same file as ``output`` (``-`` is never a file)."""
    return next((other for other in others if str(other) != "-" and same_file(output, other)), None)


@contextlib.contextmanager
def atomic_output(path: str | Path, *, binary: bool = False) -> Iterator[Any]:
    """A file object to write ``path``; an error or Ctrl-C inside the block never costs the old file.

    A symlink is followed and its target written. A regular (or new) target is written
    to a temporary sibling, flushed to disk and renamed over the target only when the
    block finishes. Anything else that exists (a device such as ``/dev/null``, a FIFO,
    ``/dev/stdout``) is written directly, never renamed over. Problems opening or
    replacing the target raise :class:`OutputError` naming ``path`` as the user gave it.
    """
    target = Path(os.path.realpath(path))
    options: dict[str, Any] = {} if binary else {"encoding": "utf-8", "newline": ""}
    mode = "wb" if binary else "w"
    try:
        status = os.stat(path)  # follows links, including /dev/stdout's /proc "magic" link to a pipe
    except FileNotFoundError:
        status = None
    except OSError as error:
        raise _output_error(path, error) from error
    if status is not None and stat.S_ISDIR(status.st_mode):
        raise OutputError(f"cannot write {path}: it is a folder; give a file name")
    if status is not None and not (stat.S_ISREG(status.st_mode) and target.exists()):
        try:
            file = open(path, mode, **options)  # noqa: SIM115 (closed below, errors named)
        except OSError as error:
            raise _output_error(path, error) from error
        with file:
            yield file
        return
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as error:
        raise _output_error(path, error) from error
    try:
        with os.fdopen(descriptor, mode, **options) as file:
            yield file
            try:
                file.flush()
                os.fsync(file.fileno())
            except OSError as error:
                raise _output_error(path, error) from error
        try:
            os.chmod(temporary, _mode_for(target))
            os.replace(temporary, target)
        except OSError as error:
            raise _output_error(path, error) from error
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def _output_error(path: str | Path, error: OSError) -> OutputError:
    return OutputError(f"cannot write {path}: {error.strerror or error}")


def _mode_for(path: Path) -> int:
    """The replaced file's permissions, or what a plain ``open`` would give a new file."""
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def replace_directory(target: str | Path, write: Callable[[Path], None]) -> Path:
    """Fill a temporary sibling of ``target`` with ``write``, then swap it in for ``target``.

    If ``write`` fails, ``target`` is untouched and the temporary folder removed. The
    swap renames the old folder aside, renames the new one in and only then deletes the
    old one, so at every moment ``target`` is either the complete old or the complete
    new folder (if the second rename fails, the old folder is put back).
    """
    target = Path(os.path.realpath(target))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fresh = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".new", dir=target.parent))
    except OSError as error:
        raise _output_error(target, error) from error
    try:
        write(fresh)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(fresh, target.stat().st_mode & 0o777 if target.exists() else 0o777 & ~umask)
        old = _swap(fresh, target)
    except OSError as error:
        shutil.rmtree(fresh, ignore_errors=True)
        raise _output_error(target, error) from error
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return target


def _swap(fresh: Path, target: Path) -> Path | None:
    """Rename ``fresh`` to ``target``, moving an existing ``target`` aside first; returns where it went."""
    if not target.exists():
        os.rename(fresh, target)
        return None
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
    os.rmdir(old)
    os.rename(target, old)
    try:
        os.rename(fresh, target)
    except BaseException:
        os.rename(old, target)
        raise
    return old
