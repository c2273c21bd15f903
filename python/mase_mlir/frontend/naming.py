"""Readable, stable op names derived from PyTorch module paths.

A node owned by module ``encoder.layer.3.attention.self.query`` (a ``Linear``) is the only
compute op of that module and is named after it. Other nodes are named
``<module path>.<op kind>`` (``encoder.layer.3.attention.self.softmax``), made unique with
a numeric suffix in graph order (``..._1``, ``..._2``). Ops of the root module have no
prefix. The same graph always gives the same names.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from torch.fx import Graph, Node

_KIND_ALIASES = {
    "scaled_dot_product_attention": "attention",
    "softmax": "softmax",
    "native_layer_norm": "layer_norm",
    "view": "reshape",
    "unsafe_view": "reshape",
    "reshape": "reshape",
    "unsqueeze": "reshape",
    "squeeze": "reshape",
    "flatten": "reshape",
    "addmm": "linear",
    "mm": "matmul",
    "bmm": "batch_matmul",
    "permute": "transpose",
    "t": "transpose",
    "expand": "broadcast",
    "cat": "concat",
    "select": "slice",
    "to_copy": "convert",
    "and": "logical_and",
    "or": "logical_or",
    "getitem": "getitem",
}

SHAPE_KINDS = frozenset(
    {"reshape", "transpose", "broadcast", "slice", "concat", "split", "convert", "clone",
     "alias", "getitem", "contiguous", "detach", "split_with_sizes"}
)

_FRAME = re.compile(r'File "([^"]+)", line (\d+)')


@dataclass(frozen=True)
class NodeInfo:
    """What the frontend knows about the origin of one FX node."""

    name: str
    """Unique readable name."""
    kind: str
    module_path: str
    source: str
    """``file:line`` of the innermost PyTorch source frame, or ``<unknown>``."""


def op_kind(node: Node) -> str:
    """Short kind of a call_function node (``linear``, ``softmax``, ``add``...)."""
    packet = getattr(node.target, "_overloadpacket", None)
    raw = packet.__name__ if packet is not None else getattr(node.target, "__name__", "op")
    raw = raw.strip("_")
    return _KIND_ALIASES.get(raw, raw)


def module_path(node: Node) -> str:
    """Path of the innermost module that owns ``node`` (``""`` for the root)."""
    stack = node.meta.get("nn_module_stack") or {}
    if not stack:
        return ""
    path = list(stack.values())[-1][0]
    # torch.export marks repeated calls of one module with "@<n>"; names stay module paths.
    return ".".join(part.split("@")[0] for part in path.split(".")) if path else ""


def source_location(node: Node) -> str:
    frames = _FRAME.findall(node.meta.get("stack_trace") or "")
    if not frames:
        return "<unknown>"
    file, line = frames[-1]
    return f"{file}:{line}"


def name_nodes(graph: Graph) -> dict[Node, NodeInfo]:
    """Give every call_function node of ``graph`` a unique readable name."""
    nodes = [n for n in graph.nodes if n.op == "call_function"]
    kinds = {n: op_kind(n) for n in nodes}
    paths = {n: module_path(n) for n in nodes}
    compute_per_path = Counter(paths[n] for n in nodes if kinds[n] not in SHAPE_KINDS)
    parents = {p[: i] for p in paths.values() for i, c in enumerate(p) if c == "."}
    used: Counter[str] = Counter()
    infos: dict[Node, NodeInfo] = {}
    for node in nodes:
        path, kind = paths[node], kinds[node]
        is_leaf = path and path not in parents
        if is_leaf and kind not in SHAPE_KINDS and compute_per_path[path] == 1:
            base = path
        else:
            base = f"{path}.{kind}" if path else kind
        count = used[base]
        used[base] += 1
        name = base if count == 0 else f"{base}_{count}"
        infos[node] = NodeInfo(name, kind, path, source_location(node))
    return infos
