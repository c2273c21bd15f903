"""Errors raised by the interpreter."""

from ..errors import MaseError


class InterpreterError(MaseError):
    """The module cannot be executed (unknown op, bad inputs...)."""


class UnknownOpError(InterpreterError):
    """The module contains an op the interpreter has no kernel for."""
