"""Rewrite-pass benchmark: mx-assign-precision and mx-kernel-loop run time and op counts.

Models: llama-tiny at 2, 4, 8, 16 and 32 layers (hidden 64) and MiniLM-L6 (real weights).
For each: ops before/after (excluding constants), the time of mx-assign-precision (with
canonicalize + cse) under a mixed MX configuration, of mx-kernel-loop on the float and on the
assigned module, of mx-unroll-loops, and the report's bits per value and weight memory.
Times are medians over --repeats runs, each on a freshly parsed module (parsing excluded).
Writes results.json and results.md next to this file.

Usage: python bench/rewrites/run.py [--repeats N] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402

from mase_mlir import interp, passes  # noqa: E402
from mase_mlir.context import parse_module  # noqa: E402
from mase_mlir.frontend import import_to_text  # noqa: E402
from mase_mlir.frontend.models import load_model  # noqa: E402
from mase_mlir.report import build_report, count_ops  # noqa: E402

HERE = Path(__file__).resolve().parent
CONFIG = {
    "default": {"input": "mxint<8,8,16>", "weight": "mxint<8,8,16>", "output": "f32"},
    "ops": {"*.mlp.*": {"weight": "mxint<4,8,16>"},
            "*intermediate*": {"weight": "mxint<4,8,16>"},
            "*output.dense": {"weight": "mxint<4,8,16>"}},
}
CASES = [("llama-tiny", {"layers": n}) for n in (2, 4, 8, 16, 32)] + [("minilm", {})]


def _median_time(repeats: int, setup: Callable[[], Any], run: Callable[[Any], Any]) -> float:
    times = []
    for _ in range(repeats):
        subject = setup()
        start = time.perf_counter()
        run(subject)
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def bench(name: str, kwargs: dict, repeats: int) -> dict:
    model, inputs = load_model(name, **kwargs)
    arrays = [x.numpy() for x in inputs]
    text = import_to_text(model, inputs)
    del model

    def parsed() -> Any:
        return parse_module(text)

    def assigned() -> Any:
        return passes.assign_precision(parse_module(text), CONFIG, allow_unmatched=True)

    def assign(module: Any) -> Any:
        return passes.assign_precision(module, CONFIG, allow_unmatched=True)

    def looped() -> Any:
        return passes.kernel_loop(assigned())

    float_module = parsed()
    mx_module = assigned()
    mx_report = build_report(mx_module)
    loop_module = passes.kernel_loop(assigned())
    loop_report = build_report(loop_module)
    float_loop = passes.kernel_loop(parsed())
    unrolled = passes.unroll_loops(passes.kernel_loop(assigned()))
    row: dict[str, Any] = {
        "model": name + (f" ({kwargs['layers']} layers)" if "layers" in kwargs else ""),
        "layers": kwargs.get("layers", 6),
        "ops_float": count_ops(float_module).non_constant,
        "ops_assigned": count_ops(mx_module).non_constant,
        "ops_looped_float": count_ops(float_loop).non_constant,
        "ops_looped_assigned": count_ops(loop_module).non_constant,
        "ops_unrolled": count_ops(unrolled).non_constant,
        "loops": [(loop["trip_count"], loop["ops_per_layer"]) for loop in loop_report["loops"]],
        "assign_s": _median_time(repeats, parsed, assign),
        "kernel_loop_float_s": _median_time(repeats, parsed, passes.kernel_loop),
        "kernel_loop_assigned_s": _median_time(repeats, assigned, passes.kernel_loop),
        "unroll_s": _median_time(repeats, looped, passes.unroll_loops),
        "bits_per_weight": mx_report["summary"]["bits_per_weight"],
        "bits_per_activation": mx_report["summary"]["bits_per_activation"],
        "weight_bytes_float": build_report(float_module)["summary"]["weight_bytes"],
        "weight_bytes_assigned": mx_report["summary"]["weight_bytes"],
        "weight_bytes_looped": loop_report["summary"]["weight_bytes"],
    }
    if name != "minilm":  # interpreter time before/after looping (bit-identical results)
        ref = interp.run(mx_module, arrays)
        out = interp.run(loop_module, arrays)
        row["bit_identical"] = all(np.array_equal(a, b) for a, b in zip(ref, out, strict=True))
        row["interp_assigned_s"] = _median_time(repeats, lambda: mx_module,
                                                lambda m: interp.run(m, arrays))
        row["interp_looped_s"] = _median_time(repeats, lambda: loop_module,
                                              lambda m: interp.run(m, arrays))
    for key, value in row.items():
        if key.endswith("_s"):
            row[key] = round(value, 4)
    return row


def write(rows: list[dict], repeats: int) -> None:
    meta = {"machine": platform.machine(), "cpus": os.cpu_count(),
            "python": platform.python_version(), "repeats": repeats, "config": CONFIG}
    (HERE / "results.json").write_text(
        json.dumps({"meta": meta, "results": rows}, indent=2) + "\n")
    lines = [
        "# Rewrite-pass benchmark", "",
        f"Machine: {meta['cpus']} CPUs (shared), Python {meta['python']}; times are medians "
        f"of {repeats} runs on freshly parsed modules. Ops exclude constants "
        "(`arith.constant`, `mx.constant`) and include `scf.for`, `scf.yield`, `mx.take` and "
        "`func.return`. Config: MXInt8 (B=16) inputs and weights, MXInt4 (B=16) MLP weights, "
        "f32 outputs.", "",
        "| model | ops float | ops assigned | ops looped (float / assigned) | unrolled | "
        "loops (trips x ops) | assign s | loop s (float / assigned) | unroll s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        loops = ", ".join(f"{t} x {n}" for t, n in r["loops"])
        lines.append(
            f"| {r['model']} | {r['ops_float']} | {r['ops_assigned']} | "
            f"{r['ops_looped_float']} / {r['ops_looped_assigned']} | {r['ops_unrolled']} | "
            f"{loops} | {r['assign_s']:.4f} | {r['kernel_loop_float_s']:.4f} / "
            f"{r['kernel_loop_assigned_s']:.4f} | {r['unroll_s']:.4f} |")
    lines += ["", "| model | bits/weight | bits/activation | weight bytes float | "
              "assigned | looped | interp assigned s | interp looped s | bit-identical |",
              "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(
            f"| {r['model']} | {r['bits_per_weight']} | {r['bits_per_activation']} | "
            f"{r['weight_bytes_float']} | {r['weight_bytes_assigned']} | "
            f"{r['weight_bytes_looped']} | {r.get('interp_assigned_s', '-')} | "
            f"{r.get('interp_looped_s', '-')} | {r.get('bit_identical', '-')} |")
    (HERE / "results.md").write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="llama-tiny 2 and 4 layers only")
    args = parser.parse_args()
    rows = []
    for name, kwargs in CASES[:2] if args.quick else CASES:
        row = bench(name, kwargs, args.repeats)
        print(json.dumps(row), flush=True)
        rows.append(row)
    write(rows, args.repeats)


if __name__ == "__main__":
    main()
