"""Frontend benchmark: import time, parse time and interpreter time.

Models: MiniLM-L6 (8 sentences x 32 tokens, real weights) and llama-tiny at 2, 8 and 32
layers. Parse times: the text in-process, and the imported file as the `mase` commands read
it (``mase_mlir.mlirfile.parse_file``: UTF-8 check, parse in a forked child that survives a
parser crash, bytecode back) against reading and parsing it in-process.
Writes results.json and results.md next to this file.
Targets: MiniLM import < 30 s, MiniLM interpreter < 5 s on the 2-core machine.

Usage: python bench/frontend/run.py [--repeats N]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402

from mase_mlir import interp  # noqa: E402
from mase_mlir.context import parse_module  # noqa: E402
from mase_mlir.frontend import import_to_text  # noqa: E402
from mase_mlir.frontend.models import load_model  # noqa: E402
from mase_mlir.mlirfile import parse_file  # noqa: E402

HERE = Path(__file__).resolve().parent
CASES = [("minilm", {}), ("llama-tiny", {"layers": 2}), ("llama-tiny", {"layers": 8}),
         ("llama-tiny", {"layers": 32})]


def bench(name: str, kwargs: dict, repeats: int) -> dict:
    model, inputs = load_model(name, **kwargs)
    arrays = [x.numpy() for x in inputs]
    start = time.perf_counter()
    text = import_to_text(model, inputs)
    import_s = time.perf_counter() - start
    start = time.perf_counter()
    module = parse_module(text)
    parse_s = time.perf_counter() - start
    file_s, safe_s = _file_parse(text, repeats)
    start = time.perf_counter()
    program = interp.load(module)
    load_s = time.perf_counter() - start
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        interp.run(program, arrays)
        runs.append(time.perf_counter() - start)
    label = name + (f" ({kwargs['layers']} layers)" if "layers" in kwargs else "")
    return {
        "model": label,
        "inputs": [list(a.shape) for a in arrays],
        "mx_ops": text.count(" = mx."),
        "text_mb": round(len(text) / 1e6, 2),
        "import_s": round(import_s, 3),
        "parse_s": round(parse_s, 3),
        "file_parse_s": round(file_s, 3),
        "safe_file_parse_s": round(safe_s, 3),
        "interp_load_s": round(load_s, 3),
        "interp_run_s": round(float(np.median(runs)), 4),
    }


def _file_parse(text: str, repeats: int) -> tuple[float, float]:
    """Best of ``repeats``: read + parse in-process, and ``parse_file``."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.mlir"
        path.write_text(text)
        plain, safe = [], []
        for _ in range(repeats):
            start = time.perf_counter()
            parse_module(path.read_text())
            plain.append(time.perf_counter() - start)
            start = time.perf_counter()
            parse_file(path)
            safe.append(time.perf_counter() - start)
    return min(plain), min(safe)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    rows = []
    for name, kwargs in CASES:
        row = bench(name, kwargs, args.repeats)
        print(json.dumps(row))
        rows.append(row)
    meta = {"machine": platform.machine(), "cpus": os.cpu_count(),
            "python": platform.python_version()}
    (HERE / "results.json").write_text(json.dumps({"meta": meta, "results": rows}, indent=2) + "\n")
    lines = ["# Frontend benchmark", "",
             f"Machine: {meta['cpus']} CPUs, Python {meta['python']}. "
             "Import = torch.export + fold + torch-mlir + mx text; interpreter = median of "
             f"{args.repeats} runs (after parsing and loading).", "",
             "| model | inputs | mx ops | text MB | import s | parse s | file: read + parse s "
             "| file: crash-safe parse s | interp load s | interp run s |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['model']} | {r['inputs']} | {r['mx_ops']} | {r['text_mb']} | "
                     f"{r['import_s']} | {r['parse_s']} | {r['file_parse_s']} "
                     f"| {r['safe_file_parse_s']} | {r['interp_load_s']} "
                     f"| {r['interp_run_s']} |")
    lines += ["", "Targets: MiniLM import < 30 s, MiniLM interpreter < 5 s. File parse times are "
              f"the best of {args.repeats}: `read + parse` is reading the file and parsing it "
              "in-process; `crash-safe` is `mase_mlir.mlirfile.parse_file`, what the `mase` "
              "commands use (a parser crash becomes an error naming the file)."]
    (HERE / "results.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
