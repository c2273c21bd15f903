"""Freeze an exported program: bind its state and fold everything input independent.

Parameters, buffers (persistent ones live in ``state_dict``, non-persistent ones in
``constants``) and lifted tensor constants are bound to their values. Every node whose
operands are all known is then evaluated with PyTorch (masks, position ids, rotary
tables, ``arange``...), and the values that feed the remaining graph are inlined as
tensor literals. The result is a stateless FX graph whose placeholders are exactly the
user inputs.
"""

from __future__ import annotations

from typing import Any

import torch
from torch.export import ExportedProgram
from torch.export.graph_signature import InputKind, OutputKind
from torch.fx import Graph, Node
from torch.utils import _pytree as pytree

from .errors import ExportError


def bound_state(program: ExportedProgram) -> dict[str, Any]:
    """Map each lifted placeholder name to its value (params, buffers, constants)."""
    values: dict[str, Any] = {}
    for spec in program.graph_signature.input_specs:
        name = getattr(spec.arg, "name", None)
        if spec.kind == InputKind.USER_INPUT:
            continue
        if spec.kind == InputKind.PARAMETER:
            values[name] = program.state_dict[spec.target]
        elif spec.kind == InputKind.BUFFER:
            if spec.target in program.state_dict:
                values[name] = program.state_dict[spec.target]
            else:  # non-persistent buffers are stored with the constants
                values[name] = program.constants[spec.target]
        elif spec.kind == InputKind.CONSTANT_TENSOR:
            values[name] = program.constants[spec.target]
        else:
            raise ExportError(f"unsupported exported input kind {spec.kind.name} ({spec.target})")
    for spec in program.graph_signature.output_specs:
        if spec.kind != OutputKind.USER_OUTPUT:
            raise ExportError(
                f"the model mutates state ({spec.kind.name} of {spec.target}); "
                "only inference graphs without side effects can be imported"
            )
    return values


def _is_assertion(node: Node) -> bool:
    name = getattr(node.target, "__name__", "")
    return node.op == "call_function" and not node.users and (
        name.startswith("_assert") or name.startswith("sym_constrain_range")
    )


def _is_foldable(node: Node) -> bool:
    target = node.target
    tags = getattr(target, "tags", ())
    return node.op == "call_function" and torch.Tag.nondeterministic_seeded not in tags


def _node_inputs(node: Node) -> list[Node]:
    return [a for a in pytree.tree_leaves((node.args, node.kwargs)) if isinstance(a, Node)]


def _replace_input(user: Node, node: Node, value: Any) -> None:
    """Replace ``node`` by the literal ``value`` in the operands of ``user``.

    Inside lists (e.g. the indices of ``aten.index``), torch-mlir needs nodes: there the
    literal is wrapped in an ``aten.clone`` node.
    """
    wrapper: list[Node] = []

    def wrapped() -> Node:
        if not wrapper:
            with user.graph.inserting_before(user):
                clone = user.graph.call_function(torch.ops.aten.clone.default, (value,))
            clone.meta.update({k: v for k, v in user.meta.items() if k != "val"})
            clone.meta["val"] = value
            wrapper.append(clone)
        return wrapper[0]

    def swap(arg: Any) -> Any:
        if arg is node:
            return value
        if isinstance(arg, (list, tuple)):
            return type(arg)(wrapped() if a is node else swap(a) for a in arg)
        if isinstance(arg, dict):
            return {k: swap(v) for k, v in arg.items()}
        return arg

    user.args = tuple(swap(a) for a in user.args)
    user.kwargs = {k: swap(v) for k, v in user.kwargs.items()}


def freeze(program: ExportedProgram) -> Graph:
    """Bind the state of ``program`` and fold its input-independent subgraphs in place."""
    values = bound_state(program)
    graph = program.graph_module.graph
    known: dict[Node, Any] = {}
    with torch.no_grad():
        for node in list(graph.nodes):
            if _is_assertion(node):
                graph.erase_node(node)
            elif node.op == "placeholder":
                if node.name in values:
                    known[node] = values[node.name]
            elif _is_foldable(node) and all(a in known for a in _node_inputs(node)):
                args, kwargs = pytree.tree_map_only(
                    Node, known.__getitem__, (node.args, node.kwargs))
                known[node] = node.target(*args, **kwargs)
    for node, value in known.items():
        for user in list(node.users):
            if user not in known:
                _replace_input(user, node, value)
    for node in reversed(list(known)):
        graph.erase_node(node)
    graph.lint()
    return graph
