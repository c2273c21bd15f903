"""The import pipeline: torch.export -> freeze/fold -> name -> torch-mlir -> convert ->
mx module (generated op builders) -> mx-raise-primitives."""

from __future__ import annotations

import operator
import time
from collections.abc import Callable

import torch
from torch.fx import Graph

from .. import ir
from ..context import new_context
from ..passes import run_pipeline
from .convert import Converter, default_handlers
from .emit import emit_module
from .errors import UnsupportedOp, UnsupportedOpError
from .exporting import export_model
from .freezing import freeze
from .naming import NodeInfo, name_nodes
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


def import_model(
    model: torch.nn.Module,
    example_inputs: tuple,
    *,
    context: ir.Context | None = None,
    func_name: str = "forward",
    progress: Progress | None = None,
) -> ir.Module:
    """Import ``model`` into an ``mx`` module in ``context`` (a new project context when None).

    Weights become constants; the function ``@forward`` returns the flattened outputs of
    ``torch.export`` in order. Raises :class:`UnsupportedOpError` listing every unsupported
    op with its PyTorch source location.
    """
    say = progress or (lambda _msg: None)
    start = time.perf_counter()

    def step(message: str) -> None:
        say(f"[{time.perf_counter() - start:6.2f}s] {message}")

    handlers = default_handlers()
    step("exporting with torch.export")
    program = export_model(model, example_inputs, frozenset(handlers))
    step("binding state and folding input-independent subgraphs")
    graph = freeze(program)
    infos = name_nodes(graph)
    _check_supported(graph, infos, frozenset(handlers))
    step(f"importing {sum(1 for _ in graph.nodes)} FX nodes with torch-mlir")
    torch_module = import_graph(graph, func_name)
    step("converting torch dialect to mx")
    function = Converter(torch_module, {n.name: i for n, i in infos.items()}, func_name,
                         handlers).run()
    step(f"building {len(function.ops)} mx ops")
    module = emit_module(function, context or new_context())
    step("raising RMSNorm / tanh-GELU written as elementary ops (mx-raise-primitives)")
    run_pipeline(module, "builtin.module(mx-raise-primitives)")
    step("done")
    return module


def import_to_text(
    model: torch.nn.Module,
    example_inputs: tuple,
    *,
    func_name: str = "forward",
    progress: Progress | None = None,
) -> str:
    """Import ``model`` and return the ``mx``-dialect module as MLIR text."""
    module = import_model(model, example_inputs, func_name=func_name, progress=progress)
    return str(module)
