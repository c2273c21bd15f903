"""MXInt against the fixed-point baseline at equal bits (MiniLM, real sentences).

W-bit fixed point with one static scale per tensor (``fixedW``, calibrated per op and role
on the calibration sentences) costs W bits per value; ``mxint<W-1,8,8>`` (W-1 element bits
plus an 8-bit shared exponent per block of 8) costs exactly W bits per value as well. Both
are applied uniformly (every input, weight and bias; outputs f32) and scored on the held-out
evaluation sentences: mean embedding cosine, nearest-neighbour agreement and Spearman
correlation of the pairwise similarities against FP32. Writes equal_bits.json and
equal_bits.md next to this file.

Usage: python bench/search/equal_bits.py [--widths 8,6,4] [--evaluation 64]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from mase_mlir.search.evaluate import Evaluator  # noqa: E402

HERE = Path(__file__).resolve().parent
SCORES = ("embedding_cosine_mean", "nearest_neighbour_agreement", "similarity_spearman")


def uniform(fmt: str) -> dict:
    return {"default": {"input": fmt, "weight": fmt, "bias": fmt}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--widths", default="8,6,4")
    parser.add_argument("--calibration", type=int, default=16)
    parser.add_argument("--evaluation", type=int, default=64)
    args = parser.parse_args()
    evaluator = Evaluator("minilm", calibration=args.calibration, evaluation=args.evaluation,
                          log=print)
    rows = []
    for width in (int(w) for w in args.widths.split(",")):
        for name in (f"fixed{width}", f"mxint<{width - 1},8,8>"):
            start = time.perf_counter()
            e = evaluator.evaluate(uniform(name), "evaluation")
            row = {"width": width, "format": name,
                   "bits_per_value": e.bits["bits_per_value"],
                   "bits_per_weight": e.bits["bits_per_weight"],
                   "bits_per_activation": e.bits["bits_per_activation"],
                   **{k: round(float(e.scores[k]), 4) for k in SCORES},
                   "seconds": round(time.perf_counter() - start, 1)}
            print(row)
            rows.append(row)
    meta = {"machine": f"{platform.machine()}, {os.cpu_count()} cores",
            "when": time.strftime("%Y-%m-%d"), "model": "minilm",
            "data": evaluator.evaluation.describe(),
            "calibration": evaluator.calibration.describe()}
    (HERE / "equal_bits.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=2)
                                          + "\n")
    lines = ["# MXInt against 8/6/4-bit fixed point at equal bits (MiniLM)", "",
             f"{meta['machine']}; {meta['when']}; uniform formats (outputs f32); "
             f"{meta['data']['sequences']} held-out sentences; fixed point calibrated per op and "
             f"role on {meta['calibration']['sequences']} other sentences.", "",
             "| bits | format | bits/value | bits/weight | bits/activation | cosine | nn | "
             "spearman |", "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['width']} | `{r['format']}` | {r['bits_per_value']:.3f} | "
                     f"{r['bits_per_weight']:.3f} | {r['bits_per_activation']:.3f} | "
                     f"{r['embedding_cosine_mean']:.4f} | "
                     f"{r['nearest_neighbour_agreement']:.4f} | "
                     f"{r['similarity_spearman']:.4f} |")
    (HERE / "equal_bits.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
