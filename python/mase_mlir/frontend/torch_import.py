"""Run torch-mlir's FX importer on a frozen FX graph.

Two hooks make the torch-dialect module convertible without reading resource blobs back:
- every op gets a ``NameLoc`` holding its FX node name (wrapping the usual source location),
  which maps the op back to the node's readable name;
- tensor literals become ``torch.vtensor.literal`` ops with a cheap splat placeholder value and
  a ``mase.constant`` index into :attr:`TorchModule.constants`, which holds the real tensors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch
from torch.fx import Graph, Node
from torch_mlir import ir
from torch_mlir.dialects import torch as torch_d
from torch_mlir.extras.fx_importer import (
    ContextCache,
    FxImporter,
    FxImporterHooks,
    create_mlir_tensor_type,
)

CONSTANT_ATTR = "mase.constant"


class _NodeNameLocations(ContextCache):
    """Locations ``loc("<fx node name>"(<source location>))``."""

    def get_node_location(self, node: Node) -> ir.Location | None:
        child = super().get_node_location(node) or ir.Location.unknown(context=self._c)
        return ir.Location.name(node.name, childLoc=child, context=self._c)


@dataclass
class _ConstantTable(FxImporterHooks):
    tensors: list[torch.Tensor] = field(default_factory=list)
    _index: dict[int, int] = field(default_factory=dict)

    def resolve_literal(self, gni: Any, literal: Any, info: Any) -> ir.Value | None:
        if not isinstance(literal, torch.Tensor):
            return None
        index = self._index.get(id(literal))
        if index is None:
            index = len(self.tensors)
            self._index[id(literal)] = index
            self.tensors.append(literal)
        tensor_type = create_mlir_tensor_type(literal)
        element = tensor_type.element_type
        zero = (
            ir.FloatAttr.get(element, 0.0)
            if literal.is_floating_point()
            else ir.IntegerAttr.get(element, 0)
        )
        value = ir.DenseElementsAttr.get_splat(tensor_type, zero)
        i64 = ir.IntegerType.get_signless(64)
        op = ir.Operation.create(
            "torch.vtensor.literal",
            results=[gni._cc.tensor_to_vtensor_type(literal)],
            attributes={"value": value, CONSTANT_ATTR: ir.IntegerAttr.get(i64, index)},
        )
        return op.result


@dataclass
class TorchModule:
    """A torch-dialect module plus the tensors its literal placeholders refer to."""

    module: ir.Module
    constants: list[torch.Tensor]


def import_graph(graph: Graph, func_name: str = "forward") -> TorchModule:
    """Import a stateless FX graph (placeholders = user inputs) into the torch dialect."""
    context = ir.Context()
    torch_d.register_dialect(context)
    table = _ConstantTable()
    importer = FxImporter(context=context, hooks=table)
    importer._cc = _NodeNameLocations(context, py_attr_tracker=importer._py_attr_tracker)
    importer.import_stateless_graph(graph, func_name=func_name)
    return TorchModule(importer.module, table.tensors)
