"""From the ``mxhw`` form of a function to a :class:`~.netlist.Netlist`: one generated
unit per ``mxhw`` op, the streams between them, and the memories that hold its
constants (with their contents).

Reads the IR through the project's bindings (op names, operand and result types,
attributes): the lowering to ``mxhw`` (C++) has already checked what the hardware
supports, so an op here without a generator is an internal error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..numerics import Format, MXTensor
from .netlist import Endpoint, ExternalMemory, Netlist, StreamIO
from .units import builders
from .units.base import OpView, TensorView, Unit
from .units.common import BlockLayout, SubModules
from .units.fifo import build_fifo

__all__ = ["Design", "NetlistError", "build_netlist", "memory_words"]


class NetlistError(RuntimeError):
    """The mxhw function cannot become a netlist (an internal error: the lowering checks)."""


@dataclass
class Design:
    """A netlist and where its pieces came from."""

    netlist: Netlist
    function: str
    #: Per external memory: the MX tensor that fills it (constants), or None when a
    #: function argument fills it (the caller provides the data).
    memory_data: dict[str, MXTensor | None] = field(default_factory=dict)
    #: Per external memory: the function argument that fills it, if any.
    memory_args: dict[str, int] = field(default_factory=dict)
    #: Per unit: the op's name attribute (its module path) and kind.
    unit_ops: list[dict] = field(default_factory=list)


def _op(x: Any) -> Any:
    return x.operation if hasattr(x, "operation") else x


def _tensor(type_: Any) -> Any:
    from ..dialects import mx, mxhw

    if mxhw.StreamType.isinstance(type_):
        return mx.TensorType(mxhw.StreamType(type_).tensor)
    return mx.TensorType(type_)


def _format(tensor: Any) -> Format:
    from ..dialects import mx

    return Format.parse(mx.FormatAttr(tensor.format).spelling)


def _constant(op: Any) -> MXTensor:
    from ..dialects import mx

    t = mx.TensorType(op.results[0].type)
    fmt = _format(t)
    scales = mx.unsigned_codes(op.attributes["scales"]).astype(np.uint8)
    codes = mx.unsigned_codes(op.attributes["codes"]).astype(fmt.element_dtype)
    shape = tuple(t.shape)
    sshape = list(shape)
    sshape[t.axis] //= fmt.block_size
    return MXTensor(fmt, scales.reshape(sshape), codes.reshape(shape), t.axis)


def memory_words(data: MXTensor, contents: str) -> list[int]:
    """The words of an external memory filled from ``data`` (see MemoryPort.contents)."""
    from .layout import pack

    if contents == "blocks":
        return pack(data)
    if contents == "row_max_scale":
        scales = data.scales.reshape(data.shape[0], -1).astype(np.int64)
        return [int(v) for v in scales.max(axis=1)]
    raise NetlistError(f"unknown memory contents {contents!r}")


def _name(op: Any) -> str:
    if "name" in op.attributes:
        return str(op.attributes["name"]).strip('"')
    return ""


def build_netlist(module: Any, top: str | None = None) -> Design:
    """The netlist of the (only, or ``top``) ``func.func`` of an mxhw module."""
    from ..dialects import mxhw

    funcs = [_op(o) for o in module.body.operations if _op(o).name == "func.func"]
    if top is not None:
        funcs = [f for f in funcs if str(f.attributes["sym_name"]).strip('"') == top]
    if len(funcs) != 1:
        raise NetlistError(f"expected one hardware function, found {len(funcs)}")
    func = funcs[0]
    fname = str(func.attributes["sym_name"]).strip('"')
    nl = Netlist(top=fname)
    subs: SubModules = nl.subs
    design = Design(nl, fname)
    block = func.regions[0].blocks[0]
    source: dict[Any, Endpoint] = {}  # SSA value -> where its stream comes from
    beats: dict[Endpoint, int] = {}  # stream source -> blocks per tensor
    constants: dict[Any, MXTensor | None] = {}  # memory values -> data (None: an argument)
    arg_index: dict[Any, int] = {}
    for k, arg in enumerate(block.arguments):
        if mxhw.StreamType.isinstance(arg.type):
            t = _tensor(arg.type)
            fmt = _format(t)
            port = f"in{len(nl.inputs)}"
            nl.inputs.append(StreamIO(port, BlockLayout(fmt).bits, t.num_blocks,
                                      {"argument": k, "format": str(fmt),
                                       "shape": list(t.shape), "axis": t.axis}))
            source[arg] = Endpoint(-1, port)
            beats[source[arg]] = t.num_blocks
        else:
            constants[arg] = None
            arg_index[arg] = k

    def connect(ui: int, port: str, value: Any) -> None:
        if value not in source:
            raise NetlistError(f"unit {nl.units[ui].name}: input {port} has no producer")
        nl.edges[Endpoint(ui, port)] = source[value]

    def memories(ui: int, unit: Unit, operands: list[Any]) -> None:
        for mp in unit.memory_ports:
            value = operands[mp.operand]
            name = f"{unit.name}_{mp.name}"
            t = _tensor(value.type)
            src: dict = {"contents": mp.contents, "format": str(_format(t)),
                         "shape": list(t.shape)}
            if value in arg_index:
                src["argument"] = arg_index[value]
                design.memory_args[name] = arg_index[value]
            else:
                src["constant"] = f"mem_{name}.hex"
            design.memory_data[name] = constants[value]
            nl.memories.append(ExternalMemory(name, ui, mp.name, mp.addr_bits, mp.data_bits,
                                              mp.words, src))

    registry = builders()
    for raw in block.operations:
        op = _op(raw)
        kind = op.name
        if kind == "mx.constant":
            constants[op.results[0]] = _constant(op)
            continue
        if kind == "func.return":
            for k, value in enumerate(op.operands):
                t = _tensor(value.type)
                fmt = _format(t)
                port = f"out{k}"
                nl.outputs.append(StreamIO(port, BlockLayout(fmt).bits, t.num_blocks,
                                           {"result": k, "format": str(fmt),
                                            "shape": list(t.shape), "axis": t.axis}))
                nl.results.append(source[value])
            continue
        if kind not in registry:
            raise NetlistError(f"no hardware unit generator for {kind}")
        view = _view(op, f"u{len(nl.units)}_{kind.split('.')[-1]}")
        unit = registry[kind](view, subs)
        ui = nl.add_unit(unit)
        design.unit_ops.append({"unit": unit.name, "op": kind, "name": view.name,
                                "ideal_cycles": unit.ideal_cycles})
        operands = list(op.operands)
        for value, port in zip(operands, unit.operand_ports, strict=True):
            if port is not None:
                connect(ui, port, value)
        memories(ui, unit, operands)
        source[op.results[0]] = Endpoint(ui, unit.outputs[0].name)
        beats[source[op.results[0]]] = _tensor(op.results[0].type).num_blocks
    _buffer_forks(design, beats)
    return design


def _buffer_forks(design: Design, beats: dict[Endpoint, int]) -> None:
    """A FIFO holding the whole tensor on every branch of a stream that feeds several
    consumers.

    A fork passes a beat on only when every branch has taken it, so a branch whose
    consumer waits for something computed from the same stream (a residual waiting
    for its attention block, the second operand of a join) would stall the fork and
    starve the branch it waits for. Buffering the whole tensor on every branch makes
    each branch independent of the others' pace: no such deadlock, whatever units do.
    """
    nl = design.netlist
    consumers: dict[Endpoint, list[Endpoint | int]] = {}
    for dst, src in nl.edges.items():
        consumers.setdefault(src, []).append(dst)
    for k, src in enumerate(nl.results):
        consumers.setdefault(src, []).append(k)
    width = {Endpoint(-1, s.name): s.width for s in nl.inputs}
    for ui, unit in enumerate(nl.units):
        for port in unit.outputs:
            width[Endpoint(ui, port.name)] = port.width
    for src in sorted(consumers, key=lambda e: (e.unit, e.port)):
        dsts = consumers[src]
        if len(dsts) < 2:
            continue
        for dst in dsts:
            name = f"u{len(nl.units)}_fifo"
            fifo = build_fifo(name, width[src], beats[src], nl.subs)
            fi = nl.add_unit(fifo)
            design.unit_ops.append({"unit": name, "op": "fifo", "name": "",
                                    "ideal_cycles": 0})
            nl.edges[Endpoint(fi, "x")] = src
            out = Endpoint(fi, fifo.outputs[0].name)
            if isinstance(dst, int):
                nl.results[dst] = out
            else:
                nl.edges[dst] = out


def _tensor_view(type_: Any) -> TensorView:
    from ..dialects import mxhw

    t = _tensor(type_)
    return TensorView(tuple(t.shape), _format(t), t.axis, mxhw.StreamType.isinstance(type_))


def _view(op: Any, unit_name: str) -> OpView:
    from ..dialects import mx

    attrs: dict[str, Any] = {}
    for named in op.attributes:
        key = named if isinstance(named, str) else named.name
        attr = op.attributes[key]
        spelling = mx.attribute_spelling(attr)
        if spelling is not None:
            attrs[key] = spelling
        elif hasattr(attr, "value"):
            attrs[key] = attr.value
        else:
            attrs[key] = str(attr)
    if op.name in ("mxhw.view", "mxhw.reblock"):
        from ..dialects import mxhw
        from .units.view import StreamTable

        attrs["stream_table"] = StreamTable(*mxhw.stream_table(op))
    return OpView(op.name, unit_name, tuple(_tensor_view(v.type) for v in op.operands),
                  _tensor_view(op.results[0].type), attrs, _name(op))
