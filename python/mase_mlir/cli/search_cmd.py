"""`mase search MODEL --space space.json --trials N -o out/`: mixed-precision search.

Searches per-op, per-operand MX formats with Optuna (TPE for one objective, NSGA-II for
several) on real data: every trial assigns the precision to a copy of the imported model,
runs the exact MX numerics and scores the quality against FP32 (MiniLM: mean embedding
cosine, nearest-neighbour agreement and Spearman of similarities on sentences from
Python's documentation; decoders: logit KL divergence and top-1 agreement), the average
bits per value (weights and activations, shared exponents included) and a hardware cost.

Writes to --out: front.json (Pareto front, uniform baselines, best config), front.png
(quality against bits, coloured by hardware cost, baselines marked), best.json (a
precision config for `mase run --config` / `mase compile --config`), best.txt (which op
got which format) and search.db (the Optuna study; rerun the same command to resume a
killed search). --storage takes any Optuna database URL (e.g. postgresql://...) and
--workers K runs K worker processes on the same study; more machines can join with the
same --storage and --study. See docs/search.md.
"""

from __future__ import annotations

import argparse
import sys
from importlib import resources
from pathlib import Path

from mase_mlir.search.worker import OBJECTIVES

from .options import non_negative_int, positive_int

DEFAULT_SPACE = resources.files("mase_mlir") / "configs" / "search_space.json"


def _objectives(text: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in OBJECTIVES]
    if unknown or not names or "quality" not in names or len(set(names)) != len(names):
        raise argparse.ArgumentTypeError(
            f"expected a comma-separated list of distinct objectives from "
            f"{', '.join(OBJECTIVES)} including quality, got {text!r}")
    return names


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "search", help="search a mixed-precision config (Pareto front of quality vs bits)",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model", nargs="?", default="minilm",
                   help="bundled model (minilm, llama-tiny, opt-tiny, gpt2-tiny) or "
                        "path/to/file.py:factory (default: minilm)")
    p.add_argument("--space", type=Path, default=None,
                   help="search space JSON: candidate formats per role, op globs "
                        "(default: the bundled configs/search_space.json)")
    p.add_argument("--trials", type=positive_int, default=50,
                   help="complete trials in total, over all workers and resumes (default 50)")
    p.add_argument("-o", "--out", type=Path, default=Path("out/search"),
                   help="output directory (default: out/search)")
    p.add_argument("--storage", default=None,
                   help="Optuna storage URL (default: sqlite:///OUT/search.db); e.g. "
                        "postgresql://user@host/db to share a study between machines")
    p.add_argument("--study", default="mase-search", help="study name in the storage")
    p.add_argument("--workers", type=positive_int, default=1,
                   help="worker processes on this machine (default 1)")
    p.add_argument("--objectives", type=_objectives, default=["quality", "bits"],
                   help="comma-separated: quality, bits, cells, memory (default quality,bits)")
    p.add_argument("--metric", default=None,
                   help="quality metric: cosine, nn, spearman (encoders; default cosine), "
                        "kl, top1 (decoders; default kl)")
    p.add_argument("--sampler", choices=("auto", "tpe", "nsga2", "random"), default="auto",
                   help="auto: TPE for one objective, NSGA-II for several (default)")
    p.add_argument("--seed", type=int, default=0, help="sampler seed (default 0)")
    p.add_argument("--max-bits", type=float, default=None,
                   help="best config: at most this many bits per value")
    p.add_argument("--min-quality", type=float, default=None,
                   help="best config: at least this quality (at most, for kl)")
    p.add_argument("--data", choices=("auto", "sentences", "bytes", "example"), default="auto",
                   help="evaluation data (default auto: sentences for minilm, bytes for "
                        "byte-level decoders, else the model's example inputs)")
    p.add_argument("--calibration", type=positive_int, default=16,
                   help="sequences the search scores each trial on (default 16)")
    p.add_argument("--evaluation", type=non_negative_int, default=128,
                   help="held-out sequences for the front and the baselines (default 128; "
                        "0 skips)")
    p.add_argument("--heartbeat", type=positive_int, default=10,
                   help="seconds between worker heartbeats; a trial silent for 3 is failed "
                        "and re-run (default 10)")
    p.add_argument("--cost-calibration", type=Path, default=None,
                   help="hardware cost model calibration JSON (default: the bundled one)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # Imported when the command runs: `mase --help` must not load torch and MLIR.
    from mase_mlir.frontend import FrontendError
    from mase_mlir.frontend.models import check_model_spec
    from mase_mlir.passes import PassError
    from mase_mlir.search.driver import SearchError, run_search
    from mase_mlir.search.space import SpaceError, load_space, parse_space
    from mase_mlir.search.storage import StorageError, open_storage
    from mase_mlir.search.worker import SearchSpec

    def fail(message: str) -> int:
        print(f"mase search: error: {message}", file=sys.stderr)
        return 1

    if args.max_bits is not None and not args.max_bits > 0:
        return fail(f"--max-bits must be positive, got {args.max_bits}")
    if args.cost_calibration is not None and not args.cost_calibration.is_file():
        return fail(f"no such cost calibration file: {args.cost_calibration}")
    try:
        space, source = load_space(args.space or Path(str(DEFAULT_SPACE)))
        parse_space(space, source)
        check_model_spec(args.model)
        if args.storage:
            open_storage(args.storage, args.heartbeat)  # unreachable: fail before the import
    except (SpaceError, StorageError, ValueError) as err:
        return fail(str(err))
    storage = args.storage or f"sqlite:///{args.out.resolve() / 'search.db'}"
    spec = SearchSpec(
        model=args.model, space=space, space_source=source, trials=args.trials,
        out_dir=str(args.out), storage=storage, study=args.study, objectives=args.objectives,
        metric=args.metric, data=None if args.data == "auto" else args.data,
        calibration=args.calibration, evaluation=args.evaluation, sampler=args.sampler,
        seed=args.seed, max_bits=args.max_bits, min_quality=args.min_quality,
        heartbeat=args.heartbeat,
        cost_calibration=str(args.cost_calibration) if args.cost_calibration else None)
    try:
        result = run_search(spec, workers=args.workers, progress=not args.no_progress,
                            log=lambda m: print(m, file=sys.stderr, flush=True))
    except (SearchError, SpaceError, StorageError, FrontendError, PassError, ValueError,
            FileNotFoundError) as err:
        return fail(str(err))
    _summary(result, args.out)
    return 0 if result["best"] is not None or (args.max_bits is None
                                               and args.min_quality is None) else 3


def _summary(result: dict, out: Path) -> None:
    metric = result["metric"]["name"]
    which = "evaluation" if result["evaluated"] else "calibration"
    print(f"{result['trials_complete']} trials; Pareto front of {len(result['front'])} "
          f"configs ({metric} on the {which} set):")
    print(f"  {'trial':>5}  {'bits':>6}  {metric:>9}")
    for p in result["front"]:
        q = p["evaluation"]["quality"] if result["evaluated"] else p["quality"]
        print(f"  {p['trial']:>5}  {p['bits']:>6.3f}  {q:>9.4f}")
    print("baselines:")
    for b in result["baselines"]:
        q = b["evaluation"]["quality"] if result["evaluated"] else b["quality"]
        beaten = b["dominated_by_trial"]
        note = f"dominated by trial {beaten}" if beaten is not None else "not dominated"
        print(f"  {b['name']:<15} {b['bits']:>6.3f} bits  {metric} {q:.4f}  ({note})")
    best = result["best"]
    if best is None:
        print("no config meets the constraints "
              f"(--max-bits {result['constraints']['max_bits']}, "
              f"--min-quality {result['constraints']['min_quality']})")
    else:
        q = best["evaluation"]["quality"] if result["evaluated"] else best["quality"]
        print(f"best: trial {best['trial']}, {best['bits']:.3f} bits per value, {metric} "
              f"{q:.4f} ({which} set) -> {out / 'best.json'}")
    print(f"wrote {out / 'front.json'}, {out / 'front.png'}"
          + (f", {out / 'best.json'}, {out / 'best.txt'}" if best else ""))
