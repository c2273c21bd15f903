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
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

__all__ = ["run", "run_all"]


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


def run_all(cmds: Sequence[Sequence[str]], *, jobs: int,
            timeout: float | None = None) -> list[subprocess.CompletedProcess]:
    """Run the commands, at most ``jobs`` at a time, each with its output in files (no pipe
    to fill); returns their results in order. When the call ends early (``timeout`` for the
    whole batch, Ctrl-C, an error) every running group is killed first."""
    results: list[subprocess.CompletedProcess | None] = [None] * len(cmds)
    running: dict[int, tuple[subprocess.Popen, object, object]] = {}
    deadline = None if timeout is None else time.monotonic() + timeout
    pending = list(range(len(cmds)))
    try:
        while pending or running:
            while pending and len(running) < max(1, jobs):
                k = pending.pop(0)
                out, err = tempfile.TemporaryFile("w+"), tempfile.TemporaryFile("w+")
                running[k] = (subprocess.Popen(list(cmds[k]), stdin=subprocess.DEVNULL,
                                               stdout=out, stderr=err, text=True,
                                               start_new_session=True), out, err)
            for k, (proc, out, err) in list(running.items()):
                if proc.poll() is None:
                    continue
                out.seek(0)
                err.seek(0)
                results[k] = subprocess.CompletedProcess(proc.args, proc.returncode,
                                                         out.read(), err.read())
                out.close()
                err.close()
                del running[k]
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(cmds[0], timeout)
            if running:
                time.sleep(0.05)
    finally:
        for proc, out, err in running.values():
            kill_group(proc)
            out.close()
            err.close()
    return [r for r in results if r is not None]


def kill_group(proc: subprocess.Popen) -> None:
    """Kill ``proc``'s process group and reap ``proc``."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.communicate()
