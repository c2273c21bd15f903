"""Precision-search benchmark: speed, the front against uniform baselines, the best config.

For each model (MiniLM-L6 with real weights; llama-tiny) a `mase search` with
bench/search/space_<model>.json (MiniLM: one choice per op kind shared by the six layers)
or the bundled space, --workers 2 on this 2-core machine, scored on the calibration
sentences and then on the held-out evaluation sentences. Records trials per minute (the
search phase's COMPLETE trials over its wall time), the Pareto front, the uniform
baselines and which front point dominates each, the best config at <= 4.5 bits per value
and the best config that meets the quality targets (MiniLM: mean cosine >= 0.99 and
nearest-neighbour agreement >= 0.95 on the evaluation set). Writes results.json, results.md
and front_<model>.png next to this file; the searches live in bench/search/out/
(resumable).

Usage: python bench/search/run.py [--trials N] [--llama-trials N] [--workers K]
       [--models minilm,llama-tiny] [--report-only]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import time
from importlib import resources
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from mase_mlir.search.driver import run_search  # noqa: E402
from mase_mlir.search.front import choose_best  # noqa: E402
from mase_mlir.search.space import load_space  # noqa: E402
from mase_mlir.search.worker import SearchSpec  # noqa: E402

HERE = Path(__file__).resolve().parent
SPACE = resources.files("mase_mlir") / "configs" / "search_space.json"
MAX_BITS = 4.5


def search(model: str, trials: int, workers: int, calibration: int, evaluation: int,
           seed: int, sampler: str) -> dict:
    own = HERE / f"space_{model.replace('-', '_')}.json"
    space, source = load_space(own if own.is_file() else Path(str(SPACE)))
    out = HERE / "out" / model
    spec = SearchSpec(model=model, space=space, space_source=source, trials=trials,
                      out_dir=str(out), storage=f"sqlite:///{out / 'search.db'}",
                      calibration=calibration, evaluation=evaluation, seed=seed,
                      sampler=sampler)
    start = time.perf_counter()
    result = run_search(spec, workers=workers, progress=True, log=print)
    result["total_seconds"] = round(time.perf_counter() - start, 1)
    shutil.copyfile(out / "front.png", HERE / f"front_{model}.png")
    return result


def _held(p: dict, key: str) -> float | None:
    return p.get("evaluation", {}).get("scores", {}).get(key)


def summarize(model: str, result: dict) -> dict:
    maximize = result["metric"]["direction"] == "maximize"
    front = result["front"]
    at_budget = choose_best(front, maximize, MAX_BITS, None)
    row = {
        "model": model, "metric": result["metric"]["name"], "sampler": result["sampler"],
        "trials": result["trials_complete"], "workers": result["workers"],
        # A resumed search: the rate of this session (its trials over its wall time).
        "trials_timed": result["trials_run"], "search_seconds": result["wall_seconds"],
        "trials_per_minute": round(60 * result["trials_run"] / result["wall_seconds"], 2),
        "front": [{"trial": p["trial"], "bits": p["bits"], "calibration": p["quality"],
                   "evaluation": p.get("evaluation", {}).get("quality"),
                   "scores": p.get("evaluation", {}).get("scores", p["scores"]),
                   "cost": p["cost"]} for p in front],
        "baselines": [{"name": b["name"], "bits": b["bits"], "calibration": b["quality"],
                       "evaluation": b.get("evaluation", {}).get("quality"),
                       "scores": b.get("evaluation", {}).get("scores", b["scores"]),
                       "dominated_by_trial": b["dominated_by_trial"],
                       "dominated_on_evaluation_by_trial":
                           b.get("dominated_on_evaluation_by_trial")}
                      for b in result["baselines"]],
        "best_at_4_5_bits": None if at_budget is None else {
            "trial": at_budget["trial"], "bits": at_budget["bits"],
            "calibration": at_budget["quality"], "scores": at_budget.get("evaluation", {}),
            "config": at_budget["config"]},
    }
    if result["front"][0].get("evaluation") is not None and result["metric"]["name"] == "cosine":
        meets = [p for p in front if (_held(p, "embedding_cosine_mean") or 0) >= 0.99
                 and (_held(p, "nearest_neighbour_agreement") or 0) >= 0.95]
        row["fewest_bits_meeting_targets"] = None if not meets else {
            "trial": meets[0]["trial"], "bits": meets[0]["bits"],
            "scores": meets[0]["evaluation"]["scores"]}
    return row


#: Scores shown beside the searched metric: encoders, decoders.
_SECONDARY = {"cosine": (("nn", "nearest_neighbour_agreement"),
                         ("spearman", "similarity_spearman")),
              "kl": (("top-1", "top1_agreement"),)}


def _fmt(v: float | None) -> str:
    if v is None:
        return "-"
    return f"{v:.4f}" if v == 0 or abs(v) >= 0.01 else f"{v:.3g}"  # small KL divergences


def markdown(rows: list[dict], meta: dict) -> str:
    lines = ["# Precision search benchmark", "",
             f"{meta['machine']}; {meta['when']}; --workers {rows[0]['workers']}; sampler "
             f"{rows[0]['sampler']}; spaces: bench/search/space_<model>.json if present, "
             "else the bundled one. A baseline is dominated by a front point with no more "
             "bits and at least its quality on the calibration set (held out: on the "
             "evaluation set).", ""]
    lines += ["| model | trials | timed: trials in search time | trials/min | front points | "
              "baselines dominated (calibration) | (held out) |",
              "|---|---|---|---|---|---|---|"]
    for r in rows:
        dominated = sum(b["dominated_by_trial"] is not None for b in r["baselines"])
        held = sum(b.get("dominated_on_evaluation_by_trial") is not None
                   for b in r["baselines"])
        timed = r.get("trials_timed", r["trials"])
        lines.append(f"| {r['model']} | {r['trials']} | {timed} in {r['search_seconds']:.0f} s | "
                     f"{r['trials_per_minute']} | {len(r['front'])} | "
                     f"{dominated}/{len(r['baselines'])} | {held}/{len(r['baselines'])} |")
    for r in rows:
        m = r["metric"]
        extra = _SECONDARY.get(m, ())
        lines += ["", f"## {r['model']} ({m}; calibration / held-out evaluation set)", "",
                  f"| config | bits/value | {m} (cal) | {m} (eval) | "
                  + "".join(f"{label} (eval) | " for label, _ in extra)
                  + "dominated by |", "|---|---|---|---|" + "---|" * len(extra) + "---|"]

        def cells(p: dict) -> str:
            return "".join(f"{_fmt(p['scores'].get(key))} | " for _, key in extra)

        for b in r["baselines"]:
            by = b["dominated_by_trial"]
            lines.append(f"| baseline {b['name']} | {b['bits']:.3f} | "
                         f"{_fmt(b['calibration'])} | {_fmt(b['evaluation'])} | {cells(b)}"
                         f"{'-' if by is None else 'trial ' + str(by)} |")
        for p in r["front"]:
            lines.append(f"| front, trial {p['trial']} | {p['bits']:.3f} | "
                         f"{_fmt(p['calibration'])} | {_fmt(p['evaluation'])} | {cells(p)} |")
        best = r.get("best_at_4_5_bits")
        if best is not None:
            held = best["scores"].get("quality")
            lines += ["", f"Best at <= {MAX_BITS} bits per value: trial {best['trial']}, "
                      f"{best['bits']:.3f} bits, {m} {_fmt(best['calibration'])} "
                      f"(calibration), {_fmt(held)} (held out)."]
        if "fewest_bits_meeting_targets" in r:
            meets = r["fewest_bits_meeting_targets"]
            lines += ["", "Fewest bits with cosine >= 0.99 and nearest-neighbour agreement "
                      ">= 0.95 (held out): " + ("none" if meets is None else
                      f"trial {meets['trial']}, {meets['bits']:.3f} bits, cosine "
                      f"{meets['scores']['embedding_cosine_mean']:.4f}, nn "
                      f"{meets['scores']['nearest_neighbour_agreement']:.4f}") + "."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=300)
    parser.add_argument("--llama-trials", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--calibration", type=int, default=16)
    parser.add_argument("--evaluation", type=int, default=128)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--models", default="minilm,llama-tiny")
    parser.add_argument("--sampler", default="tpe", choices=("auto", "tpe", "nsga2", "random"))
    parser.add_argument("--report-only", action="store_true",
                        help="rewrite results.md from results.json")
    args = parser.parse_args()
    if args.report_only:
        saved = json.loads((HERE / "results.json").read_text())
        (HERE / "results.md").write_text(markdown(saved["results"], saved["meta"]))
        return
    rows = []
    for model in args.models.split(","):
        trials = args.trials if model == "minilm" else args.llama_trials
        result = search(model, trials, args.workers, args.calibration, args.evaluation,
                        args.seed, args.sampler)
        rows.append(summarize(model, result))
    meta = {"machine": f"{platform.machine()}, {os.cpu_count()} cores",
            "when": time.strftime("%Y-%m-%d")}
    saved = HERE / "results.json"
    if saved.is_file():  # keep the rows of the models not run this time
        ran = {r["model"] for r in rows}
        rows += [r for r in json.loads(saved.read_text())["results"] if r["model"] not in ran]
        order = args.models.split(",")
        rows.sort(key=lambda r: order.index(r["model"]) if r["model"] in order else len(order))
    (HERE / "results.json").write_text(json.dumps({"meta": meta, "results": rows}, indent=2)
                                       + "\n")
    (HERE / "results.md").write_text(markdown(rows, meta))
    print(markdown(rows, meta))


if __name__ == "__main__":
    main()
