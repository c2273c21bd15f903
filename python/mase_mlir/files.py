"""Files the user hands ``mase``: read them, parse their JSON, check and write outputs.

Every failure is an :class:`~mase_mlir.errors.InputError` naming the file and the problem
(missing, a directory, unreadable, not UTF-8, malformed or ambiguous JSON, an output
directory that does not exist or cannot be written). Outputs are written atomically: a
temporary file in the target's directory replaced into place, so that a failure never
leaves a half-written file.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from pathlib import Path
from typing import Any

from .errors import InputError

__all__ = [
    "check_output_dir",
    "check_output_file",
    "check_readable",
    "load_json",
    "parse_json",
    "read_bytes",
    "read_text",
    "write_text_atomic",
]


def _unreadable(path: Path, what: str, err: OSError) -> InputError:
    if isinstance(err, FileNotFoundError):
        return InputError(f"{what} {path} does not exist")
    if isinstance(err, IsADirectoryError) or path.is_dir():
        return InputError(f"{what} {path} is a directory, not a file")
    return InputError(f"cannot read {what} {path}: {err.strerror or err}")


def check_readable(path: str | os.PathLike, what: str = "file") -> Path:
    """Check that ``path`` is a file this process can open for reading."""
    path = Path(path)
    try:
        with open(path, "rb"):
            pass
    except OSError as err:
        raise _unreadable(path, what, err) from None
    return path


def read_bytes(path: str | os.PathLike, what: str = "file") -> bytes:
    path = Path(path)
    try:
        return path.read_bytes()
    except OSError as err:
        raise _unreadable(path, what, err) from None


def read_text(path: str | os.PathLike, what: str = "file") -> str:
    """The UTF-8 text of ``path``."""
    path = Path(path)
    data = read_bytes(path, what)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        column = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        raise InputError(
            f"{what} {path} is not UTF-8 text (byte 0x{data[err.start]:02x} at line {line}, "
            f"column {column})") from None


class _Duplicate(Exception):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _Duplicate(key)
        seen[key] = value
    return seen


def _no_constant(name: str) -> Any:
    raise json.JSONDecodeError(f"{name} is not a JSON number", name, 0)


def parse_json(text: str, source: str, what: str = "JSON file") -> Any:
    """Strict JSON: a key repeated in one object, NaN and Infinity are errors."""
    try:
        return json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except _Duplicate as dup:
        raise InputError(f"{what} {source}: key {json.dumps(dup.args[0])} appears more than "
                         "once in one object") from None
    except json.JSONDecodeError as err:
        where = f" at line {err.lineno}, column {err.colno}" if err.doc == text else ""
        raise InputError(f"{what} {source} is not valid JSON: {err.msg}{where}") from None
    except RecursionError:
        raise InputError(f"{what} {source} is nested too deeply") from None


def load_json(path: str | os.PathLike, what: str = "JSON file") -> Any:
    return parse_json(read_text(path, what), str(path), what)


def _probe_writable(directory: Path, what: str, path: Path) -> None:
    """Create and remove a file in ``directory``: the only check that is true for every user,
    file system and access-control scheme."""
    probe = directory / f".mase-probe-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        fd = os.open(probe, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except OSError as err:
        raise InputError(f"cannot write {what} {path}: cannot create files in {directory} "
                         f"({err.strerror or err})") from None
    os.close(fd)
    probe.unlink()


def _nearest_existing(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return Path(".")


def check_output_file(path: str | os.PathLike, what: str = "output") -> Path:
    """Check, before any slow work, that ``path`` can be written as a file."""
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{what} {path} is a directory, not a file")
    parent = path.parent
    if not parent.exists():
        raise InputError(f"cannot write {what} {path}: directory {parent} does not exist")
    if not parent.is_dir():
        raise InputError(f"cannot write {what} {path}: {parent} is not a directory")
    _probe_writable(parent, what, path)
    return path


def check_output_dir(path: str | os.PathLike, what: str = "output directory") -> Path:
    """Check, before any slow work, that ``path`` is a writable directory or can be created."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise InputError(f"{what} {path} exists and is not a directory")
    existing = _nearest_existing(path)
    if not existing.is_dir():
        raise InputError(f"cannot create {what} {path}: {existing} is not a directory")
    _probe_writable(existing, what, path)
    return path


def write_text_atomic(path: str | os.PathLike, text: str, what: str = "output") -> Path:
    """Write ``text`` to ``path`` through a temporary file in the same directory, replaced into
    place: readers see the old file or the whole new one, never a part. An existing file keeps
    its permissions; a new one gets the usual ones (0666 less the umask)."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")
    try:
        fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        if path.is_file():
            shutil.copymode(path, tmp)
        os.replace(tmp, path)
    except OSError as err:
        raise InputError(f"cannot write {what} {path}: {err.strerror or err}") from None
    finally:
        tmp.unlink(missing_ok=True)
    return path
