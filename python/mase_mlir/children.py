"""Child processes that never outlive the call that started them.

``run`` starts a tool (CIRCT's stage, Yosys, Verilator and the compilers it spawns, a
simulator) in a session of its own and, when the call ends early (a time limit, Ctrl-C,
SIGTERM turned into an exception by the command line, any error), kills the whole process
group, grandchildren included, and reaps it: nothing keeps running or writing after mase has
stopped.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

__all__ = ["run"]


def run(cmd: Sequence[str], *, input: str | None = None, cwd: str | Path | None = None,
        env: Mapping[str, str] | None = None,
        timeout: float | None = None) -> subprocess.CompletedProcess:
    """Run ``cmd`` to completion with text output captured, like ``subprocess.run``;
    raises ``subprocess.TimeoutExpired`` past ``timeout`` (the group killed first)."""
    proc = subprocess.Popen(list(cmd), cwd=cwd, env=None if env is None else dict(env),
                            stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        stdout, stderr = proc.communicate(input, timeout=timeout)
    except BaseException:
        kill_group(proc)
        raise
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)


def kill_group(proc: subprocess.Popen) -> None:
    """Kill ``proc``'s process group and reap ``proc``."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.communicate()
