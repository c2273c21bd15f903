"""Read a user's MLIR file into the project's context, whatever the file holds.

The MLIR parser asserts on some malformed input (for example
``module attributes {a = array<index: 1>} {}`` aborts the pinned upstream parser), and an
abort would kill the whole ``mase`` process without a word. So the text is parsed first in a
forked child: a crash there becomes an :class:`~mase_mlir.errors.InputError` naming the
file; a parse error becomes one with the located diagnostics; a success sends the module
back as MLIR bytecode, which the parent reads (exact, locations included). The child's
text parse plus the bytecode round trip cost about 1.25x an in-process text parse
(MiniLM's 181 MB import: 0.95 s against 0.76 s; see docs/frontend.md). Without ``os.fork``
the text is parsed in-process.
"""

from __future__ import annotations

import faulthandler
import os
import re
import signal
import warnings
from collections.abc import Callable
from typing import Any

from . import ir
from .context import new_context
from .errors import InputError
from .files import check_readable, read_text

__all__ = ["parse_file", "parse_text"]

_PARSED, _FAILED = b"B", b"E"
_FILE_LOC = re.compile(r'^loc\("((?:[^"\\]|\\.)*)":(\d+):(\d+)\)$')


def parse_file(path: str | os.PathLike, context: Any = None) -> Any:
    """The ``mase_mlir.ir.Module`` of the MLIR file ``path`` (UTF-8 text); its locations,
    and so every later diagnostic about it, name the file."""
    path = check_readable(path, "MLIR file")
    return _parse(lambda ir, ctx: ir.Module.parseFile(str(path), ctx), str(path), context,
                  # Not UTF-8 is an error of its own; checked while the child parses.
                  check=lambda: read_text(path, "MLIR file"))


def parse_text(text: str, source: str, context: Any = None) -> Any:
    """Parse ``text`` (which messages call ``source``) in the project's context."""
    return _parse(lambda ir, ctx: ir.Module.parse(text, ctx), source, context)


Parser = Callable[[Any, Any], Any]


def _parse(parse: Parser, source: str, context: Any,
           check: Callable[[], object] | None = None) -> Any:
    if hasattr(os, "fork"):
        with _ChildParse(parse, source, check) as child:
            if child.status == _FAILED:
                raise InputError(child.payload.decode("utf-8", "replace"))
            if child.status == _PARSED:
                return ir.Module.parse(child.payload, context or new_context())
    elif check is not None:
        check()
    # No fork, or the child could not report: parse here.
    try:
        return parse(ir, context or new_context())
    except ir.MLIRError as err:
        raise InputError(describe_error(err, source)) from None


def location_text(location: Any, source: str = "-") -> str:
    """``file:line:col`` for a file location (``loc("-":...)``: ``source``), else as MLIR
    prints it."""
    def spell(m: re.Match) -> str:
        name = source if m[1] == "-" else m[1]
        return f"{name}:{m[2]}:{m[3]}"

    return _FILE_LOC.sub(spell, str(location))


def describe_error(err: Any, source: str) -> str:
    """The diagnostics of an ``ir.MLIRError`` from parsing ``source``, located in it."""
    lines = []

    def add(diag: Any, severity: str) -> None:
        lines.append(f"{location_text(diag.location, source)}: {severity}: {diag.message}")
        for note in diag.notes:
            add(note, "note")

    for diag in err.error_diagnostics:
        add(diag, "error")
    if not lines:
        return f"{source}: cannot be parsed: {err}"
    return "\n".join(lines)


def _memfile(name: str) -> int:
    if hasattr(os, "memfd_create"):
        return os.memfd_create(name)
    import tempfile

    fd, path = tempfile.mkstemp(prefix=f"mase-{name}-")
    os.unlink(path)
    return fd


class _ChildParse:
    """Parses in a forked child. ``status`` is ``_PARSED`` (``payload``: the bytecode),
    ``_FAILED`` (``payload``: the located diagnostics) or None (the child could not report);
    a child killed by a signal raises InputError. The child reports through a pipe before it
    exits, so its exit (freeing a large module) overlaps the parent's work; it is reaped on
    leaving the ``with`` block."""

    def __init__(self, parse: Parser, source: str, check: Callable[[], object] | None) -> None:
        self.parse, self.source, self.check = parse, source, check
        self.status: bytes | None = None
        self.payload = b""
        self.pid = 0

    def __enter__(self) -> _ChildParse:
        out, err = _memfile("mlir-parse"), _memfile("mlir-parse-stderr")
        ready, done = os.pipe()
        try:
            with warnings.catch_warnings():
                # Python warns about fork() in a process with threads (torch's, MLIR's pools):
                # the child only parses in a fresh single-threaded context and exits.
                warnings.simplefilter("ignore", DeprecationWarning)
                self.pid = os.fork()
            if self.pid == 0:  # the child: never returns
                _child(self.parse, self.source, out, err, done)
            os.close(done)
            done = -1
            try:
                if self.check is not None:
                    self.check()
                status = os.read(ready, 1)
            except BaseException:
                self._reap(kill=True)
                raise
            if not status:  # the child died before reporting
                _, code = os.waitpid(self.pid, 0)
                self.pid = 0
                if os.WIFSIGNALED(code):
                    raise InputError(
                        _crash_message(self.source, os.WTERMSIG(code), _read_all(err)))
                return self
            self.status = status
            self.payload = _read_all(out)
            return self
        finally:
            for fd in (out, err, ready, done):
                if fd >= 0:
                    os.close(fd)

    def __exit__(self, *exc: object) -> None:
        self._reap(kill=exc[0] is not None)

    def _reap(self, kill: bool) -> None:
        if self.pid:
            if kill:
                os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.pid = 0


def _read_all(fd: int) -> bytes:
    size = os.lseek(fd, 0, os.SEEK_END)
    os.lseek(fd, 0, os.SEEK_SET)
    with open(fd, "rb", closefd=False) as f:
        return f.read(size)


def _child(parse: Parser, source: str, out: int, err: int, done: int) -> None:
    code = 1
    try:
        os.dup2(err, 2)  # assertion messages: for the parent's error, not the terminal
        faulthandler.disable()  # it writes to its own copy of stderr
        context = new_context()
        context.enable_multithreading(False)
        with open(out, "wb", closefd=False) as f:
            try:
                module = parse(ir, context)
            except ir.MLIRError as error:
                status = _FAILED
                f.write(describe_error(error, source).encode())
            else:
                status = _PARSED
                module.operation.write_bytecode(f)
        os.write(done, status)
        code = 0
    finally:
        os._exit(code)


def _crash_message(source: str, signum: int, stderr: bytes) -> str:
    try:
        name = signal.Signals(signum).name
    except ValueError:
        name = f"signal {signum}"
    detail = ""
    for line in stderr.decode("utf-8", "replace").splitlines():
        if "Assertion" in line or "LLVM ERROR" in line:
            detail = ": " + line.strip()
            break
    return (f"the MLIR parser crashed on {source} ({name}{detail}); the file is not MLIR "
            "that this version can read")
