"""The error type of bad input: what ``mase`` reports as one line, never a traceback.

Every error a user can cause (a file that cannot be read or parsed, a model that cannot be
imported, a config with a mistake, an option out of range) is a :class:`MaseError`: the
frontend's ``FrontendError``, the passes' ``PassError``, the interpreter's
``InterpreterError`` and :class:`InputError` for files and options all derive from it. The
command line prints ``mase <command>: error: <message>`` and exits with status 1; any other
exception is an internal error (see ``mase_mlir.cli.main``).
"""

from __future__ import annotations

__all__ = ["InputError", "MaseError"]


class MaseError(Exception):
    """Bad input, reported to the user by its message alone."""


class InputError(MaseError, ValueError):
    """A file, path or option the user gave cannot be used (unreadable, not UTF-8, malformed
    JSON, an output path that cannot be written, a number out of range, ...). Also a
    ``ValueError``, for library callers."""
