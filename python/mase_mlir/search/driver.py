"""``mase search``: prepare, run the workers, then write the front, the plot and the best
config (see docs/search.md)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..report import format_report
from .front import (
    BASELINES,
    baseline_config,
    baseline_formats,
    choose_best,
    dominates,
    format_usage,
    pareto,
    plot_front,
    write_json,
)
from .storage import StorageError, counts, open_storage, open_study
from .worker import READY, RECORD, SearchSpec, directions, prepare, run_worker, settings

__all__ = ["SearchError", "run_search"]


class SearchError(RuntimeError):
    """A search cannot run (bad space, storage, model...): the message says why."""


def _point(number: int, record: dict) -> dict:
    return {"trial": number, "quality": record["quality"], "bits": record["bits"]["bits_per_value"],
            "scores": record["scores"], "bits_detail": record["bits"], "cost": record["cost"],
            "config": record["config"]}


class _Progress:
    """A progress bar over COMPLETE trials with the best result so far."""

    def __init__(self, spec: SearchSpec, maximize: bool, metric: str, enabled: bool) -> None:
        self.spec, self.maximize, self.metric = spec, maximize, metric
        self.bar = None
        if enabled:
            from tqdm import tqdm

            self.bar = tqdm(total=spec.trials, unit="trial", dynamic_ncols=True,
                            file=sys.stderr, desc="mase search")
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None

    def update(self, study: Any) -> None:
        if self.bar is None:
            return
        from optuna.trial import TrialState

        done = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        points = [_point(t.number, t.user_attrs[RECORD]) for t in done if RECORD in t.user_attrs]
        best = choose_best(points, self.maximize, self.spec.max_bits, self.spec.min_quality)
        if best is not None:
            self.bar.set_postfix_str(f"best {self.metric} {best['quality']:.4f} at "
                                     f"{best['bits']:.3f} bits (trial {best['trial']})")
        self.bar.n = min(len(done), self.spec.trials)
        self.bar.refresh()

    def watch(self, storage_url: str, heartbeat: int) -> None:
        """Poll the storage (other workers' trials) from a thread of its own."""
        if self.bar is None:
            return
        import optuna

        def loop() -> None:
            storage = open_storage(storage_url, heartbeat)
            study = optuna.load_study(study_name=self.spec.study, storage=storage)
            while not self.stop.wait(2.0):
                try:
                    self.update(study)
                except Exception:  # a busy database: try again at the next tick
                    pass

        self.thread = threading.Thread(target=loop, name="mase-progress", daemon=True)
        self.thread.start()

    def close(self, study: Any) -> None:
        self.stop.set()
        if self.thread is not None:
            self.thread.join()
        self.update(study)
        if self.bar is not None:
            self.bar.close()


def _start_workers(spec_path: Path, count: int, logs: Path) -> list[tuple[subprocess.Popen,
                                                                         Path]]:
    env = dict(os.environ)
    # Each worker is one process: no thread pools fighting over the cores.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = "1"
    children = []
    for index in range(1, count):
        log_path = logs / f"worker-{index}.log"
        with log_path.open("w") as log_file:
            child = subprocess.Popen(
                [sys.executable, "-m", "mase_mlir.search.worker", str(spec_path), str(index),
                 str(os.getpid())], stdout=log_file, stderr=subprocess.STDOUT, env=env)
        children.append((child, log_path))
    return children


def run_search(spec: SearchSpec, *, workers: int = 1, progress: bool = True,
               log: Callable[[str], None] = print) -> dict:
    """Run (or resume) a search and write its outputs into ``spec.out_dir``.

    Worker processes 1..K-1 start at once and prepare (import, data, references) while
    this process does the same; nothing is written before the preparation succeeded.
    """
    with tempfile.TemporaryDirectory(prefix="mase-search-") as scratch:
        spec_path = Path(scratch) / "spec.json"
        spec_path.write_text(spec.to_json())
        children = _start_workers(spec_path, workers, Path(scratch))
        try:
            return _search(spec, workers, children, progress, log,
                           ready=Path(scratch) / "ready")
        finally:
            for child, _ in children:
                if child.poll() is None:
                    child.kill()
                    child.wait()


def _search(spec: SearchSpec, workers: int, children: list, progress: bool,
            log: Callable[[str], None], ready: Path) -> dict:
    out = Path(spec.out_dir)
    evaluator, space = prepare(spec, log)  # bad models and spaces fail before anything is written
    if not space.parameters:
        raise SearchError(f"{spec.space_source}: the space leaves nothing to choose (every "
                          "operand has one candidate that applies)")
    log(f"[mase] space: {len(space.parameters)} choices, {space.size:.3g} configurations; "
        f"metric: {evaluator.metric.label}; data: {evaluator.calibration.describe()['name']}, "
        f"{evaluator.calibration.size} sequences")
    maximize = evaluator.metric.maximize
    out.mkdir(parents=True, exist_ok=True)
    try:
        storage = open_storage(spec.storage, spec.heartbeat)
        study = open_study(storage, spec.study, directions(spec, maximize),
                           settings(spec, space, evaluator), None)
    except StorageError as err:
        raise SearchError(str(err)) from None
    before = counts(study)
    if any(before.values()):
        log(f"[mase] resuming study {spec.study!r}: {before['COMPLETE']} complete, "
            f"{before['RUNNING']} running, {before['FAIL']} failed")
    else:
        # Warm start: the uniform baselines as near as the space allows, their cheaper
        # neighbours, then the space's uniform configurations (most precise first).
        for values in space.starts(baseline_formats())[: max(1, spec.trials // 3)]:
            study.enqueue_trial(values)
    study.set_user_attr(READY, True)  # workers on other machines wait for this
    ready.touch()  # and the child workers for this
    # Start together: wait until every child worker is prepared (or has failed), so that
    # the work is shared from the first trial on.
    for index, (child, _) in enumerate(children, start=1):
        while child.poll() is None and not (ready.parent / f"worker-{index}.prepared").exists():
            time.sleep(0.2)
    bar = _Progress(spec, maximize, evaluator.metric.name, progress)
    bar.watch(spec.storage, spec.heartbeat)
    started = time.perf_counter()
    try:
        run_worker(spec, 0, evaluator, space)
    finally:
        for child, _ in children:
            try:
                child.wait(timeout=60 + 4 * spec.heartbeat)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        bar.close(study)
    for child, path in children:
        if child.returncode != 0:
            lines = path.read_text().strip().splitlines() or ["(no output)"]
            log(f"[mase] warning: worker exited with status {child.returncode}: {lines[-1]}")
    seconds = time.perf_counter() - started
    result = finalize(spec, evaluator, study, log)
    result["wall_seconds"] = round(seconds, 1)
    result["trials_run"] = result["trials_complete"] - before["COMPLETE"]  # this session's
    result["workers"] = workers
    return result


def finalize(spec: SearchSpec, evaluator: Any, study: Any,
             log: Callable[[str], None] = print) -> dict:
    """Front, baselines, best config; writes front.json, front.png, best.json, best.txt."""
    from optuna.trial import TrialState

    out = Path(spec.out_dir)
    metric = evaluator.metric
    maximize = metric.maximize
    complete = [t for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
                if RECORD in t.user_attrs]
    points = [_point(t.number, t.user_attrs[RECORD]) for t in complete]
    front = pareto(points, maximize)
    evaluated = spec.evaluation > 0 and evaluator.data_kind != "example"

    def held_out(config: dict) -> dict:
        e = evaluator.evaluate(config, "evaluation")
        return {"quality": e.quality, "scores": {k: v for k, v in e.scores.items()
                                                 if k != "outputs"}}

    baselines = []
    for name, (_, _, label) in BASELINES.items():
        config = baseline_config(name)
        log(f"[mase] baseline {name}: {label}")
        e = evaluator.evaluate(config)
        entry = {"name": name, "label": label, "config": e.config, "quality": e.quality,
                 "bits": e.bits["bits_per_value"], "bits_detail": e.bits, "cost": e.cost,
                 "scores": {k: v for k, v in e.scores.items() if k != "outputs"}}
        if evaluated:
            entry["evaluation"] = held_out(e.config)
        baselines.append(entry)
    if evaluated:
        log(f"[mase] scoring the {len(front)} front configs on the evaluation set "
            f"({evaluator.evaluation.size} sequences)")
        for p in front:
            p["evaluation"] = held_out(p["config"])
    for b in baselines:
        which = [p for p in front if dominates(p, b, maximize)]
        b["dominated_by_trial"] = which[0]["trial"] if which else None
        if evaluated:
            held = [p for p in front if p["bits"] <= b["bits"] and
                    metric.better(p["evaluation"]["quality"], b["evaluation"]["quality"])]
            b["dominated_on_evaluation_by_trial"] = held[0]["trial"] if held else None

    best = choose_best(points, maximize, spec.max_bits, spec.min_quality)
    result: dict[str, Any] = {
        "model": spec.model, "metric": {"name": metric.name, "score": metric.score,
                                        "label": metric.label, "direction": metric.direction},
        "objectives": spec.objectives, "sampler": spec.sampler, "seed": spec.seed,
        "data": {"calibration": evaluator.calibration.describe(),
                 "evaluation": evaluator.evaluation.describe() if evaluated else None},
        "constraints": {"max_bits": spec.max_bits, "min_quality": spec.min_quality},
        "trials_complete": len(points), "evaluated": evaluated,
        "front": front, "baselines": baselines, "best": None,
        "trials": [{"trial": p["trial"], "quality": p["quality"], "bits": p["bits"]}
                   for p in points],
    }
    for stale in ("best.json", "best.txt"):
        (out / stale).unlink(missing_ok=True)
    if best is not None:
        e = evaluator.evaluate(best["config"])
        best_entry = dict(best, usage=format_usage(e.report))
        if evaluated:
            best_entry["evaluation"] = held_out(best["config"])
        result["best"] = best_entry
        write_json(out / "best.json", best["config"])
        text = format_report(e.report)
        usage = "\n".join(f"  {role}: " + ", ".join(f"{f} x{n}" for f, n in formats.items())
                          for role, formats in best_entry["usage"].items())
        (out / "best.txt").write_text(
            f"best config: trial {best['trial']}, {metric.label} {best['quality']:.4f} "
            f"(calibration set), {best['bits']:.3f} bits per value\n"
            f"ops per format:\n{usage}\n\n{text}")
    write_json(out / "front.json", result)
    plot_front(out / "front.png", result)
    return result
