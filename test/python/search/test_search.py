"""`mase search` end to end on llama-tiny: outputs, determinism, workers, kill and resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import optuna
import pytest
from optuna.trial import TrialState

from mase_mlir.cli.main import main
from mase_mlir.flow import run_flow
from mase_mlir.search.driver import run_search
from mase_mlir.search.worker import SearchSpec

SPACE = {"default": {"input": ["mxint8", "mxint<4,8,16>", "mxint<6,8,16>"],
                     "weight": ["mxint<2,8,16>", "mxint<4,8,16>", "mxint8"]},
         "ops": {"model.layers.*": {"bias": "mxint8"}}}
SMALL = ["--calibration", "4", "--evaluation", "6", "--no-progress"]


def spec(tmp: Path, trials: int, **kw) -> SearchSpec:
    return SearchSpec(model="llama-tiny", space=SPACE, space_source="<test>", trials=trials,
                      out_dir=str(tmp), storage=f"sqlite:///{tmp / 'search.db'}",
                      calibration=kw.pop("calibration", 4), evaluation=kw.pop("evaluation", 6),
                      **kw)


def study_of(out: Path):
    return optuna.load_study(study_name="mase-search", storage=f"sqlite:///{out / 'search.db'}")


def check_budget(out: Path, trials: int) -> list:
    """Exactly ``trials`` COMPLETE; no config evaluated twice; failures are kills or surplus."""
    study = study_of(out)
    complete = study.get_trials(states=(TrialState.COMPLETE,))
    assert len(complete) == trials
    evaluated = [json.dumps(t.params, sort_keys=True) for t in complete
                 if "duplicate_of" not in t.user_attrs["mase"]]
    assert len(evaluated) == len(set(evaluated))
    return study.get_trials()


def test_search_outputs_are_deterministic_and_mase_run_reproduces_the_best(tmp_path, capsys):
    space = tmp_path / "space.json"
    space.write_text(json.dumps(SPACE))
    outs = []
    for name in ("a", "b"):
        out = tmp_path / name
        code = main(["search", "llama-tiny", "--space", str(space), "--trials", "6", "-o",
                     str(out), "--seed", "3", "--max-bits", "9", *SMALL])
        assert code == 0, capsys.readouterr().err
        outs.append(out)
    printed = capsys.readouterr().out
    assert "Pareto front of" in printed and "best: trial" in printed
    for name in ("front.json", "best.json", "best.txt", "front.png"):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name
    result = json.loads((outs[0] / "front.json").read_text())
    assert result["trials_complete"] == 6 and result["metric"]["name"] == "kl"
    assert {b["name"] for b in result["baselines"]} == {"fixed8", "mxint8", "mxint6-weights",
                                                         "mxfp6", "mxfp4"}
    fixed8 = next(b for b in result["baselines"] if b["name"] == "fixed8")
    assert "fixed<8," in json.dumps(fixed8["config"])  # calibrated per op and role
    assert all("evaluation" in p for p in result["front"])
    best = result["best"]
    assert best["bits"] <= 9
    assert (outs[0] / "front.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "ops per format" in (outs[0] / "best.txt").read_text()
    # The exported config is a precision config: mase run applies it and counts the same bits.
    flow = run_flow("llama-tiny", outs[0] / "best.json", tmp_path / "run", hardware=False,
                    log=lambda m: None)
    assert flow.summary["report"]["summary"]["bits_per_value"] == best["bits"]


def test_two_workers_finish_the_budget_together(tmp_path):
    out = tmp_path / "new"  # not there yet: the workers wait until the study is set up
    result = run_search(spec(out, 12, calibration=24), workers=2, progress=False,
                        log=lambda m: None)
    assert result["trials_complete"] == 12 and result["trials_run"] == 12
    trials = check_budget(out, 12)
    workers = {t.user_attrs["mase.worker"]["index"] for t in trials
               if t.state == TrialState.COMPLETE}
    assert workers == {0, 1}
    assert all(t.system_attrs.get("mase.surplus") for t in trials if t.state == TrialState.FAIL)


def _search_command(out: Path, trials: int, *extra: str) -> list[str]:
    space = out.parent / "space.json"
    space.write_text(json.dumps(SPACE))
    return [sys.executable, "-m", "mase_mlir.cli.main", "search", "llama-tiny", "--space",
            str(space), "--trials", str(trials), "-o", str(out), "--heartbeat", "1",
            "--calibration", "24", "--evaluation", "4", "--no-progress", *extra]


def _wait_for(condition, process: subprocess.Popen, timeout: float = 300):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "the search ended before the kill"
        try:
            found = condition()
        except Exception:  # the database is not there yet
            found = None
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError("timed out")


def _running(out: Path, worker: int | None = None):
    for t in study_of(out).get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        info = t.user_attrs.get("mase.worker")
        if info and (worker is None or info["index"] == worker):
            return t
    return None


def _still_running(out: Path, number: int) -> bool | None:
    """Whether trial ``number`` is RUNNING; None when the database is locked (the stopped
    worker holds its write lock)."""
    try:
        storage = optuna.storages.RDBStorage(f"sqlite:///{out / 'search.db'}",
                                             engine_kwargs={"connect_args": {"timeout": 1}})
        study = optuna.load_study(study_name="mase-search", storage=storage)
        return any(t.number == number and t.state == TrialState.RUNNING
                   for t in study.get_trials(deepcopy=False))
    except Exception:
        return None


def _kill_mid_trial(out: Path, process: subprocess.Popen, worker: int | None,
                    ready=lambda: True):
    """SIGKILL the process running a trial while it runs: the process is stopped first,
    then killed only if its trial is still RUNNING (otherwise, or if the stopped process
    holds the database locked, it goes on and we wait for the next one). Returns the trial
    it was running."""
    while True:
        trial = _wait_for(lambda: ready() and _running(out, worker), process)
        pid = trial.user_attrs["mase.worker"]["pid"]
        os.kill(pid, signal.SIGSTOP)
        if _still_running(out, trial.number):
            os.kill(pid, signal.SIGKILL)
            return trial
        os.kill(pid, signal.SIGCONT)


def _retried(trials: list, killed) -> None:
    """The killed trial failed and its config was completed exactly once more, by a retry
    (a retry may itself have been failed as stale on a loaded machine and retried again)."""
    dead = next(t for t in trials if t.number == killed.number)
    assert dead.state == TrialState.FAIL and dead.params
    retries = [t for t in trials if t.system_attrs.get("failed_trial") == killed.number]
    assert all(t.params == dead.params for t in retries)
    assert [t.state for t in retries].count(TrialState.COMPLETE) == 1
    assert all(t.state in (TrialState.COMPLETE, TrialState.FAIL) for t in retries)


def test_a_killed_worker_process_loses_no_trial(tmp_path):
    out = tmp_path / "out"
    process = subprocess.Popen(_search_command(out, 8, "--workers", "2"),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    killed = _kill_mid_trial(out, process, worker=1)
    stdout, stderr = process.communicate(timeout=600)
    assert process.returncode == 0, stderr
    assert "worker exited with status -9" in stderr
    _retried(check_budget(out, 8), killed)


def test_a_killed_search_resumes(tmp_path):
    out = tmp_path / "out"
    command = _search_command(out, 6)
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    def two_done():
        return len(study_of(out).get_trials(deepcopy=False, states=(TrialState.COMPLETE,))) >= 2

    killed = _kill_mid_trial(out, process, worker=0, ready=two_done)
    process.wait()
    again = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert "resuming study 'mase-search'" in again.stderr
    _retried(check_budget(out, 6), killed)


@pytest.mark.parametrize(("args", "message"), [
    (["nosuch"], "unknown model 'nosuch'"),
    (["llama-tiny", "--space", "{missing}"], "cannot read search space"),
    (["llama-tiny", "--space", "{bad}"], r"bad.json:1:\d+: malformed JSON"),
    (["llama-tiny", "--space", "{format}"], "default.input: MX format 'mxint<9>' needs three"),
    (["llama-tiny", "--storage", "postgresql://nobody@127.0.0.1:1/none"],
     "cannot open storage postgresql://nobody@127.0.0.1:1/none"),
    (["llama-tiny", "--storage", "nosuchdb://x"], "cannot open storage nosuchdb://x"),
    (["llama-tiny", "--metric", "cosine", "--trials", "1"], "does not apply to a decoder"),
    (["llama-tiny", "--max-bits", "-1"], "--max-bits must be positive"),
])
def test_bad_input_is_one_clear_line(tmp_path, capsys, args, message):
    (tmp_path / "bad.json").write_text("{nope")
    (tmp_path / "format.json").write_text('{"default": {"input": ["mxint<9>"]}}')
    paths = {"missing": tmp_path / "missing.json", "bad": tmp_path / "bad.json",
             "format": tmp_path / "format.json"}
    argv = ["search", *(a.format(**paths) for a in args), "-o", str(tmp_path / "out"),
            *SMALL]
    assert main(argv) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) >= 1 and err[-1].startswith("mase search: error: ")
    assert __import__("re").search(message, err[-1]), err[-1]
    assert "Traceback" not in "\n".join(err)


@pytest.mark.parametrize(("args", "message"), [
    (["--trials", "0"], "must be at least 1"),
    (["--objectives", "bits"], "including quality"),
    (["--workers", "two"], "expected a whole number"),
])
def test_bad_options_are_usage_errors(capsys, args, message):
    with pytest.raises(SystemExit) as exit_info:
        main(["search", "llama-tiny", *args])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_resuming_with_another_space_is_refused(tmp_path, capsys):
    space = tmp_path / "space.json"
    space.write_text(json.dumps(SPACE))
    out = str(tmp_path / "out")
    assert main(["search", "llama-tiny", "--space", str(space), "--trials", "2", "-o", out,
                 *SMALL]) == 0
    other = dict(SPACE, default={**SPACE["default"], "input": ["mxint8", "mxint<4,8,16>"]})
    space.write_text(json.dumps(other))
    assert main(["search", "llama-tiny", "--space", str(space), "--trials", "2", "-o", out,
                 *SMALL]) == 1
    assert "made with other settings (space differ)" in capsys.readouterr().err
