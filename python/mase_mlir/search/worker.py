"""One search worker: claims trials of the shared study and scores their configs.

``run_worker`` runs in the ``mase search`` process (worker 0) and, for ``--workers K``, in
K-1 child processes started as ``python -m mase_mlir.search.worker SPEC.json INDEX``; a
child exits when the process that started it is gone.
"""

from __future__ import annotations

import json
import math
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .storage import claim_trial, heartbeat, open_storage, open_study

__all__ = ["OBJECTIVES", "SAMPLERS", "SearchSpec", "Trial", "make_sampler", "prepare",
           "run_worker"]

#: Objective name -> (what it reads, minimize?)
OBJECTIVES = {"quality": None, "bits": "bits_per_value", "cells": "cells",
              "memory": "memory_bits"}
SAMPLERS = ("auto", "tpe", "nsga2", "random")
RECORD = "mase"
READY = "mase.ready"  # set by the mase search process once the study is set up
_MAX_FAILURES = 3


@dataclass
class SearchSpec:
    """Everything that defines a search (what the workers are started with)."""

    model: str
    space: dict
    space_source: str
    trials: int
    out_dir: str
    storage: str
    study: str = "mase-search"
    objectives: list[str] = field(default_factory=lambda: ["quality", "bits"])
    metric: str | None = None
    data: str | None = None
    calibration: int = 16
    evaluation: int = 128
    sampler: str = "auto"
    seed: int = 0
    max_bits: float | None = None
    min_quality: float | None = None
    heartbeat: int = 10
    cost_calibration: str | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> SearchSpec:
        return cls(**json.loads(text))


@dataclass
class Trial:
    """A finished trial as the driver sees it."""

    number: int
    values: dict[str, str]
    record: dict


def make_sampler(spec: SearchSpec, seed: int) -> Any:
    """TPE for one objective and NSGA-II for several (``auto``), or the one asked for.
    ``--max-bits`` / ``--min-quality`` reach the samplers as trial constraints."""
    import optuna

    kind = spec.sampler
    if kind == "auto":
        kind = "tpe" if len(spec.objectives) == 1 else "nsga2"
    if kind == "tpe":
        return optuna.samplers.TPESampler(seed=seed,
                                          n_startup_trials=min(10, max(2, spec.trials // 5)))
    if kind == "nsga2":
        population = max(4, min(50, spec.trials // 5))
        return optuna.samplers.NSGAIISampler(seed=seed, population_size=population)
    if kind == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    raise ValueError(f"unknown sampler {spec.sampler!r}; expected one of {', '.join(SAMPLERS)}")


def prepare(spec: SearchSpec, log: Callable[[str], None] | None = None) -> tuple[Any, Any]:
    """The evaluator (model, data, FP32 references) and the space resolved against it."""
    # The evaluator's modules load torch and MLIR; this module stays light because
    # `mase search`'s option checks import it (OBJECTIVES) before anything runs.
    from .cost import load_cost_model
    from .evaluate import Evaluator, probe_ops
    from .space import Space, parse_space

    entries = parse_space(spec.space, spec.space_source)
    evaluator = Evaluator(spec.model, data=spec.data, calibration=spec.calibration,
                          evaluation=spec.evaluation, metric_name=spec.metric,
                          cost_model=load_cost_model(spec.cost_calibration), log=log)
    formats: dict[str, list[str]] = {}
    for entry in entries:
        for role, candidates in entry.roles.items():
            formats.setdefault(role, []).extend(candidates)
    ops, applicable = probe_ops(evaluator.module, formats)
    return evaluator, Space(entries, ops, applicable, spec.space_source)


def objective_values(record: dict, objectives: list[str]) -> list[float]:
    out = []
    for name in objectives:
        if name == "quality":
            out.append(record["quality"])
        elif name == "bits":
            out.append(record["bits"]["bits_per_value"])
        else:
            out.append(record["cost"][OBJECTIVES[name]])
    return out


def directions(spec: SearchSpec, maximize_quality: bool) -> list[str]:
    return [("maximize" if maximize_quality else "minimize") if o == "quality" else "minimize"
            for o in spec.objectives]


def _constraints(record: dict, spec: SearchSpec, maximize: bool) -> dict[str, float]:
    """Optuna constraints (<= 0 is feasible)."""
    out = {}
    if spec.max_bits is not None:
        out["max_bits"] = record["bits"]["bits_per_value"] - spec.max_bits
    if spec.min_quality is not None:
        q = record["quality"]
        out["min_quality"] = spec.min_quality - q if maximize else q - spec.min_quality
    return out


def _duplicate(study: Any, values: dict[str, str], number: int) -> Any | None:
    from optuna.trial import TrialState

    for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
        if t.number != number and t.params == values and RECORD in t.user_attrs:
            return t
    return None


def run_worker(spec: SearchSpec, index: int, evaluator: Any, space: Any,
               on_trial: Callable[[Trial], None] | None = None,
               stop: threading.Event | None = None) -> int:
    """Claim and score trials until the budget is complete; returns how many it scored."""
    from optuna.trial import TrialState

    maximize = evaluator.metric.maximize
    storage = open_storage(spec.storage, spec.heartbeat)
    study = open_study(storage, spec.study, directions(spec, maximize), settings(spec, space,
                       evaluator), None)
    while index > 0 and not study.user_attrs.get(READY):
        if stop is not None and stop.wait(0.5):
            return 0
        threading.Event().wait(0.5)
    existing = len(study.get_trials(deepcopy=False))
    # A resumed or parallel worker must not replay the proposals of the first one.
    study.sampler = make_sampler(spec, spec.seed + 7919 * index + 104729 * existing)
    scored = failures = 0
    while (trial := claim_trial(study, spec.trials, stop)) is not None:
        with heartbeat(study, trial):
            values = {p.name: trial.suggest_categorical(p.name, list(p.choices))
                      for p in space.parameters}
            trial.set_user_attr("mase.worker", {"index": index, "pid": os.getpid()})
            twin = _duplicate(study, values, trial.number)
            if twin is not None:
                record = dict(twin.user_attrs[RECORD], duplicate_of=twin.number)
            else:
                try:
                    config = space.config(values)
                    result = evaluator.evaluate(config)
                except Exception as err:  # the trial fails; the next one carries on
                    failures += 1
                    trial.set_user_attr("error", f"{type(err).__name__}: {err}")
                    study.tell(trial, state=TrialState.FAIL)
                    if failures >= _MAX_FAILURES:
                        raise RuntimeError(f"{failures} trials failed in a row; "
                                           f"the last: {type(err).__name__}: {err}") from err
                    continue
                record = {"config": result.config, "quality": result.quality,
                          "scores": _scores(result.scores), "bits": result.bits,
                          "cost": result.cost, "seconds": round(result.seconds, 3)}
                scored += 1
            failures = 0
            if not _record(study, trial, record, spec, maximize):
                continue
        if on_trial is not None:
            on_trial(Trial(trial.number, values, record))
    return scored


def _record(study: Any, trial: Any, record: dict, spec: SearchSpec, maximize: bool) -> bool:
    """Tell the study ``trial``'s result; False if the trial is no longer ours.

    A worker stalled past the grace period (an overloaded machine) finds its trial failed
    as stale by another worker, which queued a retry of the same config: the retry is the
    one that counts, so this result is dropped rather than crashing the worker.
    """
    from optuna.exceptions import UpdateFinishedTrialError
    from optuna.trial import TrialState

    try:
        for key, value in _constraints(record, spec, maximize).items():
            if not math.isnan(value):
                trial.set_constraint(key, value)
        trial.set_user_attr(RECORD, record)
        objective = objective_values(record, spec.objectives)
        if any(isinstance(v, float) and math.isnan(v) for v in objective):
            study.tell(trial, state=TrialState.FAIL, skip_if_finished=True)
            return False
        if study.tell(trial, objective, skip_if_finished=True).state == TrialState.COMPLETE:
            return True
    except UpdateFinishedTrialError:
        pass
    print(f"mase search: trial {trial.number} was failed as stale while it ran (its heartbeat "
          "was late); its retry counts instead", file=sys.stderr, flush=True)
    return False


def _scores(scores: dict) -> dict:
    return {k: v for k, v in scores.items() if k != "outputs"}


def settings(spec: SearchSpec, space: Any, evaluator: Any) -> dict:
    """What a study is bound to: resuming with other settings is an error."""
    return {"model": spec.model, "space": space.digest(), "metric": evaluator.metric.name,
            "objectives": list(spec.objectives), "data": evaluator.calibration.digest,
            "max_bits": spec.max_bits, "min_quality": spec.min_quality}


def _watch_parent(parent: int) -> None:
    """Exit when the process that started this worker is gone (killed or finished)."""
    def watch() -> None:
        while True:
            if os.getppid() != parent:
                os._exit(3)
            threading.Event().wait(1.0)

    threading.Thread(target=watch, name="mase-parent-watch", daemon=True).start()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    spec_path, index = Path(argv[0]), int(argv[1])
    _watch_parent(int(argv[2]) if len(argv) > 2 else os.getppid())
    spec = SearchSpec.from_json(spec_path.read_text())
    ready = spec_path.with_name("ready")  # the mase search process has set up the study
    try:
        evaluator, space = prepare(spec)
        spec_path.with_name(f"worker-{index}.prepared").touch()
        while not ready.exists():
            threading.Event().wait(0.2)
        run_worker(spec, index, evaluator, space)
    except Exception as err:
        print(f"mase search: worker {index}: {type(err).__name__}: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
