"""Which MiniLM ops limit low average bits: one op kind at a time lowered from MXINT8.

Starting from uniform MXINT8 (inputs, weights, biases), each op kind of
bench/search/space_minilm.json (the six layers' ops share a kind) has its inputs, then
its weights, lowered to one lower format while everything else stays MXINT8; the table
gives the mean embedding cosine against FP32 on the search's calibration sentences and
how many bits per value the change saves. Ops whose lowering costs much cosine and saves
few bits are the ones a <= 4.5-bit config has to keep wide. Writes sensitivity.json and
sensitivity.md next to this file.

Usage: python bench/search/sensitivity.py [--formats "mxint<4,8,32>;mxint<6,8,32>"]
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")



from mase_mlir.search.evaluate import Evaluator, probe_ops  # noqa: E402
from mase_mlir.search.front import baseline_config  # noqa: E402

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--formats", default="mxint<4,8,32>;mxint<6,8,32>")
    parser.add_argument("--calibration", type=int, default=16)
    parser.add_argument("--evaluation", type=int, default=128)
    args = parser.parse_args()
    space = json.loads((HERE / "space_minilm.json").read_text())
    kinds = [glob for glob in space["ops"] if glob != "pooler.*"]
    evaluator = Evaluator("minilm", calibration=args.calibration, evaluation=args.evaluation,
                          log=print)
    base = baseline_config("mxint8")
    start = time.perf_counter()
    reference = evaluator.evaluate(base)
    roles_of, _ = probe_ops(evaluator.module, {})
    rows = []
    evaluations = 1
    for fmt in args.formats.split(";"):
        for glob in kinds:
            for role in ("input", "weight"):
                if not any(role in roles for name, roles in roles_of.items()
                           if fnmatch.fnmatchcase(name, glob)):
                    continue
                config = {**base, "ops": {glob: {role: fmt}}}
                e = evaluator.evaluate(config)
                evaluations += 1
                saved = reference.bits["bits_per_value"] - e.bits["bits_per_value"]
                if saved <= 0:
                    continue  # the op kind has no such operand, or the format does not apply
                row = {"ops": glob, "role": role, "format": fmt,
                       "cosine": round(e.quality, 5),
                       "cosine_lost": round(reference.quality - e.quality, 5),
                       "bits_saved": round(saved, 4)}
                print(row, flush=True)
                rows.append(row)
    seconds = time.perf_counter() - start
    result = {"reference": {"config": base, "cosine": reference.quality,
                            "bits": reference.bits["bits_per_value"]},
              "data": evaluator.calibration.describe(), "evaluations": evaluations,
              "seconds": round(seconds, 1), "rows": rows}
    (HERE / "sensitivity.json").write_text(json.dumps(result, indent=2) + "\n")
    lines = ["# MiniLM: sensitivity of each op kind (from uniform MXINT8)", "",
             f"Reference: uniform MXINT8, {reference.bits['bits_per_value']:.3f} bits per "
             f"value, cosine {reference.quality:.4f} on {evaluator.calibration.size} "
             f"calibration sentences; {evaluations} evaluations in {seconds:.0f} s.", "",
             "| ops | operand | lowered to | cosine | cosine lost | bits per value saved |",
             "|---|---|---|---|---|---|"]
    for r in sorted(rows, key=lambda r: (r["format"], -r["cosine_lost"])):
        lines.append(f"| `{r['ops']}` | {r['role']} | {r['format']} | {r['cosine']:.4f} | "
                     f"{r['cosine_lost']:.4f} | {r['bits_saved']:.3f} |")
    (HERE / "sensitivity.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
