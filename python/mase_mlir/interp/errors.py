"""Errors raised by the interpreter."""


class InterpreterError(Exception):
    """The module cannot be executed (unknown op, bad inputs...)."""


class UnknownOpError(InterpreterError):
    """The module contains an op the interpreter has no kernel for."""
