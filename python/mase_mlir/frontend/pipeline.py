"""The import pipeline: torch.export -> freeze/fold -> name -> torch-mlir -> mx text."""

from __future__ import annotations

import operator
import time
from collections.abc import Callable

import torch
from torch.fx import Graph

from .convert import Converter, supported_packets
from .errors import UnsupportedOp, UnsupportedOpError
from .exporting import export_model
from .freezing import freeze
from .naming import NodeInfo, name_nodes
from .printer import print_function
from .torch_import import import_graph

Progress = Callable[[str], None]


def _check_supported(graph: Graph, infos: dict, packets: frozenset[str]) -> None:
    """Raise one error listing every op of the graph without a converter."""
    missing = []
    for node in graph.nodes:
        if node.op != "call_function" or node.target is operator.getitem:
            continue
        packet = getattr(node.target, "_overloadpacket", None)
        qualified = getattr(packet, "_qualified_op_name", "") if packet else ""
        namespace, _, name = qualified.partition("::")
        key = name if namespace == "aten" else f"prims.{name}"
        if namespace not in ("aten", "prims") or key not in packets:
            info: NodeInfo = infos[node]
            missing.append(UnsupportedOp(_op_name(node), info.name, info.source,
                                         "no conversion to the mx dialect"))
    if missing:
        raise UnsupportedOpError(missing)


def _op_name(node) -> str:
    target = node.target
    if hasattr(target, "_schema"):
        ns, _, name = target._schema.name.partition("::")
        overload = target._overloadname
        return f"{ns}.{name}.{overload}"
    return getattr(target, "__qualname__", str(target))


def import_to_text(
    model: torch.nn.Module,
    example_inputs: tuple,
    *,
    func_name: str = "forward",
    progress: Progress | None = None,
) -> str:
    """Import ``model`` and return the ``mx``-dialect module as MLIR text."""
    say = progress or (lambda _msg: None)
    start = time.perf_counter()

    def step(message: str) -> None:
        say(f"[{time.perf_counter() - start:6.2f}s] {message}")

    packets = supported_packets()
    step("exporting with torch.export")
    program = export_model(model, example_inputs, packets)
    step("binding state and folding input-independent subgraphs")
    graph = freeze(program)
    infos = name_nodes(graph)
    _check_supported(graph, infos, packets)
    step(f"importing {sum(1 for _ in graph.nodes)} FX nodes with torch-mlir")
    torch_module = import_graph(graph, func_name)
    step("converting torch dialect to mx")
    function = Converter(torch_module, {n.name: i for n, i in infos.items()}, func_name).run()
    step(f"printing {len(function.ops)} mx ops")
    text = print_function(function)
    step("raising RMSNorm / tanh-GELU written as elementary ops (mx-raise-primitives)")
    text = raise_primitives(text)
    step("done")
    return text


def raise_primitives(text: str) -> str:
    """``text`` with norms and activations written as elementary ops raised to mx ops."""
    from ..passes import run_pipeline
    from .parsing import parse_module

    module = parse_module(text)
    run_pipeline(module, "builtin.module(mx-raise-primitives)")
    return str(module)
