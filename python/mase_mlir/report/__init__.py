"""The precision and memory report of an ``mx`` module (``mase report``).

Everything is read from the IR's types (formats live in the types, no side tables):

* per compute op: name, kind, the formats of its input, weight and bias operands and of its
  output, and how many times it runs (the trip count for ops in a kernel loop body);
* bits per weight value: over the stored constants (``mx.constant``: element bits plus scale
  bits / B, i.e. storage bits / values; float constants 32 bits), weighted by element count;
* bits per activation value: over the non-constant tensor operands of compute ops, each use
  weighted by its element count times the number of times the op runs (so a looped module and
  its unrolled form give the same figures);
* bits per value: both together, (weight bits + activation bits) / (weight values +
  activation values), the average the precision search minimizes;
* weight memory: storage bits of every float/MX constant (stacked weights count fully), plus
  integer constants (masks, position ids) separately;
* kernel loops (``scf.for`` marked ``mx.kernel_loop``): trip count, ops per layer, stacked
  weights and carried values.

``build_report(module)`` returns a JSON-ready dict (deterministic: same IR, same JSON);
``format_report(report)`` renders it as text. The modules: :mod:`.walk` (walking the IR),
:mod:`.roles` (the dialect's operand roles), :mod:`.storage` (bits of a type), :mod:`.build`
(the report), :mod:`.render` (text and JSON).
"""

from .build import build_report
from .render import format_report, report_json
from .roles import ROLES, is_compute, operand_roles
from .storage import TypeInfo, type_info
from .walk import OpCounts, count_ops, walk_module

__all__ = [
    "ROLES",
    "OpCounts",
    "TypeInfo",
    "build_report",
    "count_ops",
    "format_report",
    "is_compute",
    "operand_roles",
    "report_json",
    "type_info",
    "walk_module",
]
