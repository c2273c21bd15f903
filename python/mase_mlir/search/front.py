"""The result of a search: Pareto front, uniform baselines, the best config, the plot.

The front is the set of complete trials that no other trial beats on both quality and
average bits (bits per value, shared exponents included). Uniform baselines (one format
for every input, weight and bias, f32 where an operand cannot be blocked) are scored on the
same data. The best config under ``--max-bits`` / ``--min-quality`` is written as a
precision config that ``mase run --config`` and ``mase compile --config`` accept.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

__all__ = ["BASELINES", "baseline_config", "baseline_formats", "choose_best", "dominates",
           "format_usage", "pareto", "plot_front"]

#: Uniform baselines: name -> (input, weight and bias format, label). "fixed8" is calibrated
#: per op and role (mase_mlir.fixed_calibration); "mxint6-weights" is MXINT8 activations
#: with MXInt6 weights (the bundled default config).
BASELINES: dict[str, tuple[str, str, str]] = {
    "fixed8": ("fixed8", "fixed8", "8-bit fixed point, one static scale per tensor"),
    "mxint8": ("mxint8", "mxint8", "uniform MXINT8"),
    "mxint6-weights": ("mxint8", "mxint<6,8,32>", "MXInt6 weights, MXINT8 activations"),
    "mxfp6": ("mxfp6_e2m3", "mxfp6_e2m3", "uniform MXFP6 (E2M3)"),
    "mxfp4": ("mxfp4_e2m1", "mxfp4_e2m1", "uniform MXFP4 (E2M1)"),
}


def baseline_config(name: str) -> dict:
    activation, weight, _ = BASELINES[name]
    return {"default": {"input": activation, "weight": weight, "bias": weight}}


def baseline_formats() -> list[dict[str, str]]:
    """Role -> format of every baseline, in :data:`BASELINES` order (search warm starts)."""
    return [baseline_config(name)["default"] for name in BASELINES]


def _better(a: float, b: float, maximize: bool) -> bool:
    return a >= b if maximize else a <= b


def dominates(p: dict, q: dict, maximize: bool) -> bool:
    """``p`` is at least as good as ``q`` in quality and uses no more bits."""
    return p["bits"] <= q["bits"] and _better(p["quality"], q["quality"], maximize)


def pareto(points: list[dict], maximize: bool) -> list[dict]:
    """Points ({"quality", "bits", ...}) that no other point strictly beats, by bits."""
    front = []
    for p in points:
        beaten = any(dominates(q, p, maximize) and (q["bits"], q["quality"]) != (p["bits"],
                                                                                 p["quality"])
                     for q in points)
        if not beaten:
            front.append(p)
    seen, unique = set(), []
    for p in sorted(front, key=lambda p: (p["bits"], -p["quality"] if maximize else p["quality"],
                                          p.get("trial", -1))):
        key = (p["bits"], p["quality"])
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


def choose_best(points: list[dict], maximize: bool, max_bits: float | None,
                min_quality: float | None) -> dict | None:
    """Best quality within ``max_bits``; with only ``min_quality``, the fewest bits that
    reach it; with both, the best quality of the points that meet both; with neither,
    the best quality. Ties go to fewer bits, then the earlier trial."""
    ok = [p for p in points
          if (max_bits is None or p["bits"] <= max_bits)
          and (min_quality is None or _better(p["quality"], min_quality, maximize))]
    if not ok:
        return None
    sign = -1 if maximize else 1
    if min_quality is not None and max_bits is None:
        return min(ok, key=lambda p: (p["bits"], sign * p["quality"], p.get("trial", -1)))
    return min(ok, key=lambda p: (sign * p["quality"], p["bits"], p.get("trial", -1)))


def format_usage(report: dict) -> dict[str, dict[str, int]]:
    """Per role, how many compute ops have each format (from a report's op rows)."""
    usage: dict[str, Counter] = {}
    for row in report["ops"]:
        for role in ("input", "weight", "bias", "output"):
            if row[role] is not None:
                usage.setdefault(role, Counter())[row[role]] += 1
    return {role: dict(sorted(c.items(), key=lambda kv: (-kv[1], kv[0])))
            for role, c in usage.items()}


def plot_front(path: Path, result: dict) -> None:
    """Quality against bits per value: every trial (grey), the front coloured by hardware
    cells (or weight memory), the uniform baselines marked and labelled."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    which = "evaluation" if result.get("evaluated") else "calibration"
    metric = result["metric"]
    fig, ax = plt.subplots(figsize=(7.5, 5.0), dpi=120)
    trials = result["trials"]
    ax.scatter([t["bits"] for t in trials], [t["quality"] for t in trials], s=9, c="#c8c8c8",
               label=f"trials ({len(trials)}, calibration set)", zorder=1)
    front = result["front"]
    key = "cells" if all("cells" in p.get("cost", {}) for p in front) else "memory_bits"
    colour = [p.get("cost", {}).get(key, 0) for p in front]
    xs = [p["bits"] for p in front]
    ys = [p[which]["quality"] if which == "evaluation" else p["quality"] for p in front]
    ax.plot(xs, ys, "-", color="#4a6fa5", lw=1, zorder=2)
    points = ax.scatter(xs, ys, c=colour, cmap="viridis", s=34, edgecolors="black",
                        linewidths=0.4, label=f"Pareto front ({which} set)", zorder=3)
    bar = fig.colorbar(points, ax=ax)
    bar.set_label("hardware cells (cost model)" if key == "cells" else "weight memory bits")
    for b in result["baselines"]:
        q = b[which]["quality"] if which == "evaluation" else b["quality"]
        ax.scatter([b["bits"]], [q], marker="X", s=70, c="#d62728", edgecolors="black",
                   linewidths=0.5, zorder=4)
        ax.annotate(b["name"], (b["bits"], q), textcoords="offset points", xytext=(5, 4),
                    fontsize=8, color="#d62728")
    ax.set_xlabel("average bits per value (weights and activations, shared exponents included)")
    ax.set_ylabel(metric["label"])
    ax.set_title(f"{result['model']}: mixed-precision search, {result['trials_complete']} trials")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="best", fontsize=8, framealpha=0.7)
    fig.tight_layout()
    tmp = path.with_name(path.name + ".tmp.png")
    fig.savefig(tmp, metadata={"Software": None})
    plt.close(fig)
    tmp.replace(path)


def write_json(path: Path, data: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n")
    tmp.replace(path)
