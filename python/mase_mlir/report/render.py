"""The report as text (the ``mase report`` table) and as JSON."""

from __future__ import annotations

import json
from typing import Any


def report_json(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=2) + "\n"


def format_report(report: dict[str, Any]) -> str:
    """The report as text: the per-op table, the loops and the summary."""
    lines: list[str] = []
    header = ("op", "kind", "input", "weight", "bias", "output", "runs")
    table = [header] + [
        (r["name"], r["op"].removeprefix("mx."), r["input"] or "-", r["weight"] or "-",
         r["bias"] or "-", r["output"] or "-", str(r["repeat"]))
        for r in report["ops"]
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for index, row in enumerate(table):
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    if report["loops"]:
        lines.append("")
        lines.append("kernel loops:")
        for loop in report["loops"]:
            lines.append(
                f"  {loop['name']}: {loop['trip_count']} layers x {loop['ops_per_layer']} ops "
                f"(+{loop['takes']} mx.take), "
                f"{loop['stacked_weights']} stacked weights "
                f"({_bytes(loop['stacked_weight_bytes'])}), "
                f"{loop['carried_values']} carried value(s)")
    s = report["summary"]
    lines.append("")
    lines.append(f"compute ops: {s['compute_ops']} ({s['compute_op_runs']} executed), "
                 f"ops excluding constants: {s['ops_excluding_constants']}")
    lines.append(f"bits per weight: {_num(s['bits_per_weight'])} "
                 f"({s['weight_values']} values); "
                 f"bits per activation: {_num(s['bits_per_activation'])} "
                 f"({s['activation_values']} values); "
                 f"bits per value: {_num(s['bits_per_value'])}")
    lines.append(f"weight memory: {_bytes(s['weight_bytes'])} "
                 f"(MX {_bytes(s['weight_bytes_mx'])}, f32 {_bytes(s['weight_bytes_f32'])}); "
                 f"other constants: {_bytes(s['other_constant_bytes'])}")
    return "\n".join(lines) + "\n"


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _bytes(n: int) -> str:
    if n >= 1 << 20:
        return f"{n / (1 << 20):.2f} MiB"
    if n >= 1 << 10:
        return f"{n / (1 << 10):.1f} KiB"
    return f"{n} B"
