"""Option types shared by the subcommands: argparse reports a bad value as a usage error
(``mase <command>: error: argument --x: ...``, exit status 2), never a traceback."""

from __future__ import annotations

import argparse
import re


def _whole_number(text: str) -> int:
    try:
        return int(text, 10)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def positive_int(text: str) -> int:
    """A whole number >= 1 (``--layers``, ``--trials``)."""
    value = _whole_number(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def non_negative_int(text: str) -> int:
    """A whole number >= 0 (a count that may be zero)."""
    value = _whole_number(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, got {value}")
    return value


_MODULE_PATH = re.compile(r"[A-Za-z0-9_]+(?:[.-][A-Za-z0-9_]+)*")


def module_path(text: str) -> str:
    """A module path such as ``model.layers.3`` (``--layer``): it names ops and goes into a
    pass option, so only letters, digits, ``_``, ``-`` and dots between them."""
    if not _MODULE_PATH.fullmatch(text):
        raise argparse.ArgumentTypeError(
            f"expected a module path such as model.layers.3, got {text!r}")
    return text
