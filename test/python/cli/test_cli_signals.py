"""SIGTERM and SIGINT during `mase compile`: the command stops with 128 + the signal's
number and a one-line message, leaves no temporary directory, no output and no process of
its own behind (the CIRCT child is killed with its whole process group).

The CIRCT child is frozen (SIGSTOP) as soon as it exists, so the signal always arrives while
the compile is in flight, whatever the machine's speed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
LINEAR = ROOT / "bench" / "hardware" / "models" / "linear_mxint4.mlir"


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


def _cmdline(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _group_alive(pgid: int) -> list[int]:
    alive = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                alive.append(int(entry.name))
    return alive


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_compile_stops_cleanly_on_a_signal(signum, tmp_path):
    out = tmp_path / "hw"
    mase = Path(sys.executable).parent / "mase"
    # SIGINT's default action: a shell starts background jobs with SIGINT ignored, and a
    # Python started with it ignored keeps ignoring it (as a user's Ctrl-C would not reach it).
    proc = subprocess.Popen([str(mase), "compile", str(LINEAR), "-o", str(out), "--no-area"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + 120
        stage = None
        while stage is None and time.monotonic() < deadline and proc.poll() is None:
            stage = next((c for c in _children(proc.pid) if "circt_stage" in _cmdline(c)), None)
            time.sleep(0.01)
        assert stage is not None, "the CIRCT stage never started: " + proc.communicate()[1]
        os.kill(stage, signal.SIGSTOP)  # in flight until mase kills it
        assert [p.name for p in tmp_path.iterdir()], "no temporary output while compiling"
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 128 + signum, err
    name = "interrupted" if signum == signal.SIGINT else "terminated (SIGTERM)"
    assert err.strip().splitlines()[-1] == (
        f"mase compile: {name}; no file is left half-written"), err
    assert "Traceback" not in err, err
    assert list(tmp_path.iterdir()) == [], list(tmp_path.iterdir())  # no .hw.tmp-*, no hw
    deadline = time.monotonic() + 10
    while _group_alive(stage) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _group_alive(stage) == [], "the CIRCT child's process group survived"
