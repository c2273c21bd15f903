"""From the ``mxhw`` form of a function to a :class:`~.netlist.Netlist`: one generated
unit per ``mxhw`` op, the streams between them, and the memories that hold its
constants (with their contents).

Reads the IR through the project's bindings (op names, operand and result types,
attributes): the lowering to ``mxhw`` (C++) has already checked what the hardware
supports, so an op here without a generator is an internal error.

The bindings are imported inside the functions that read IR: the CIRCT stage's child
process (:mod:`.circt_stage`) imports this package and must not load the project's MLIR.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..numerics import Format, MXTensor
from .layout import pack
from .netlist import Endpoint, ExternalMemory, Netlist, StreamIO
from .rtl import clog2
from .units import builders
from .units.base import OpView, TensorView, Unit
from .units.common import BlockLayout
from .units.fifo import build_fifo
from .units.loop import build_layer_reader, build_loop_entry, build_loop_exit, build_replay

__all__ = ["Design", "LayerStack", "NetlistError", "build_netlist", "index_constant",
           "memory_words"]


class NetlistError(RuntimeError):
    """The mxhw function cannot become a netlist (an internal error: the lowering checks)."""


@dataclass
class Design:
    """A netlist and where its pieces came from."""

    netlist: Netlist
    function: str
    #: Per external memory: the MX tensor that fills it (constants; a LayerStack for a
    #: kernel loop's per-layer weights; booleans for a mask), or None when a function
    #: argument fills it.
    memory_data: dict[str, MXTensor | LayerStack | np.ndarray | None] = field(
        default_factory=dict)
    #: Per external memory: the function argument that fills it, if any.
    memory_args: dict[str, int] = field(default_factory=dict)
    #: Per unit: the op's name attribute (its module path) and kind.
    unit_ops: list[dict] = field(default_factory=list)
    #: Per kernel loop: its layer count and number of carried values.
    loops: list[dict] = field(default_factory=list)


def _op(x: Any) -> Any:
    return x.operation if hasattr(x, "operation") else x


def _tensor(type_: Any) -> Any:
    from ..dialects import mx, mxhw  # not at import: see the module docstring

    if mxhw.StreamType.isinstance(type_):
        return mx.TensorType(mxhw.StreamType(type_).tensor)
    return mx.TensorType(type_)


def _format(tensor: Any) -> Format:
    from ..dialects import mx  # not at import: see the module docstring

    return Format.parse(mx.FormatAttr(tensor.format).spelling)


def _constant(op: Any) -> MXTensor:
    from ..dialects import mx  # not at import: see the module docstring

    t = mx.TensorType(op.results[0].type)
    fmt = _format(t)
    scales = mx.unsigned_codes(op.attributes["scales"]).astype(np.uint8)
    codes = mx.unsigned_codes(op.attributes["codes"]).astype(fmt.element_dtype)
    shape = tuple(t.shape)
    sshape = list(shape)
    sshape[t.axis] //= fmt.block_size
    return MXTensor(fmt, scales.reshape(sshape), codes.reshape(shape), t.axis)


@dataclass(frozen=True)
class LayerStack:
    """The memory of a kernel loop's per-layer weights: ``data``'s leading axis holds
    the layers, and layer i's words start at ``i x stride``."""

    data: MXTensor
    layers: int


#: The manifest's format of a memory of booleans (a mask).
BOOL_FORMAT = "i1"


def bool_constant(op: Any) -> np.ndarray | None:
    """The booleans of an ``arith.constant`` of i1 (a mask), else None."""
    from .. import ir  # not at import: see the module docstring

    if op.name != "arith.constant":
        return None
    type_ = op.results[0].type
    if not isinstance(type_, ir.RankedTensorType) or str(type_.element_type) != "i1":
        return None
    return np.array(ir.DenseElementsAttr(op.attributes["value"]), dtype=bool)


def mask_rows(mask: np.ndarray) -> list[int]:
    """A mask's rows (its last axis) as words: bit j of a word is position j of the row."""
    mask = np.asarray(mask, dtype=bool)
    n = mask.shape[-1] if mask.ndim else 1
    weights = [1 << j for j in range(n)]  # Python ints: rows longer than 64 bits too
    return [sum(w for w, bit in zip(weights, row, strict=True) if bit)
            for row in mask.reshape(-1, n).tolist()]


def memory_words(data: MXTensor | LayerStack | np.ndarray, contents: str) -> list[int]:
    """The words of an external memory filled from ``data`` (see MemoryPort.contents)."""
    if isinstance(data, LayerStack):
        parts = [memory_words(data.data.take(i), contents) for i in range(data.layers)]
        if len({len(p) for p in parts}) != 1:
            raise NetlistError("the layers of a stacked memory differ in size")
        return [w for p in parts for w in p]
    if contents == "mask_rows":
        if isinstance(data, MXTensor) or np.asarray(data).dtype != np.bool_:
            raise NetlistError("a mask memory holds booleans")
        return mask_rows(data)
    if isinstance(data, np.ndarray):
        raise NetlistError(f"booleans cannot fill a memory of {contents!r}")
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


def index_constant(value: Any) -> int:
    """The value of an index constant (a kernel loop's bound)."""
    from .. import ir  # not at import: see the module docstring

    op = _op(value.owner)
    if op.name != "arith.constant":
        raise NetlistError("a kernel loop's bounds must be constants")
    return ir.IntegerAttr(op.attributes["value"]).value


def build_netlist(module: Any, top: str | None = None) -> Design:
    """The netlist of the (only, or ``top``) ``func.func`` of an mxhw module."""
    funcs = [_op(o) for o in module.body.operations if _op(o).name == "func.func"]
    if top is not None:
        funcs = [f for f in funcs if str(f.attributes["sym_name"]).strip('"') == top]
    if len(funcs) != 1:
        raise NetlistError(f"expected one hardware function, found {len(funcs)}")
    builder = _Builder(funcs[0])
    builder.run()
    _buffer_forks(builder.design, builder.beats)
    return builder.design


@dataclass
class _Loop:
    """The kernel loop being built: its layer count and the streams from outside
    it that its body reads (each replayed once per layer)."""

    layers: int
    replays: dict[Any, Endpoint] = field(default_factory=dict)


class _Builder:
    """Walks the hardware function (and its kernel loop's body) into the netlist."""

    def __init__(self, func: Any) -> None:
        fname = str(func.attributes["sym_name"]).strip('"')
        self.func = func
        self.nl = Netlist(top=fname)
        self.design = Design(self.nl, fname)
        self.source: dict[Any, Endpoint] = {}  # SSA value -> where its stream comes from
        self.level: dict[Any, int] = {}  # SSA value -> loop depth of its stream
        self.beats: dict[Endpoint, int] = {}  # stream source -> blocks per tensor
        self.constants: dict[Any, MXTensor | LayerStack | None] = {}  # None: an argument
        self.arg_index: dict[Any, int] = {}
        self.loops: list[_Loop] = []
        self.registry = builders()

    # ------------------------------------------------------------- helpers
    def _add(self, unit: Unit, op: str, name: str = "", ideal: int = 0) -> int:
        ui = self.nl.add_unit(unit)
        runs = self.loops[-1].layers if self.loops else 1
        self.design.unit_ops.append({"unit": unit.name, "op": op, "name": name,
                                     "ideal_cycles": ideal, "runs": runs})
        return ui

    def _fresh(self, kind: str) -> str:
        return f"u{len(self.nl.units)}_{kind}"

    def _define(self, value: Any, endpoint: Endpoint, blocks: int) -> None:
        self.source[value] = endpoint
        self.level[value] = len(self.loops)
        self.beats[endpoint] = blocks

    def _stream(self, value: Any) -> Endpoint:
        """Where a unit in the current loop reads ``value`` from: a stream defined
        outside the loop is replayed for every layer."""
        if value not in self.source:
            raise NetlistError(f"a stream of {value.type} has no producer")
        src = self.source[value]
        if self.level[value] == len(self.loops):
            return src
        if len(self.loops) > 1:
            raise NetlistError("a stream crossing nested kernel loops is not supported")
        loop = self.loops[-1]
        if value not in loop.replays:
            blocks = self.beats[src]
            width = self.nl.stream_width(src)
            name = self._fresh("replay")
            ri = self._add(build_replay(name, width, blocks, loop.layers, self.nl.subs),
                           "replay")
            self.nl.edges[Endpoint(ri, "x")] = src
            loop.replays[value] = Endpoint(ri, "y")
            self.beats[loop.replays[value]] = blocks
        return loop.replays[value]

    # ---------------------------------------------------------------- walk
    def run(self) -> None:
        from ..dialects import mxhw  # not at import: see the module docstring

        nl = self.nl
        block = self.func.regions[0].blocks[0]
        for k, arg in enumerate(block.arguments):
            if mxhw.StreamType.isinstance(arg.type):
                t = _tensor(arg.type)
                fmt = _format(t)
                port = f"in{len(nl.inputs)}"
                nl.inputs.append(StreamIO(port, BlockLayout(fmt).bits, t.num_blocks,
                                          {"argument": k, "format": str(fmt),
                                           "shape": list(t.shape), "axis": t.axis}))
                self._define(arg, Endpoint(-1, port), t.num_blocks)
            else:
                self.constants[arg] = None
                self.arg_index[arg] = k
        self._block(block)

    def _block(self, block: Any) -> list[Any] | None:
        """Builds a block's ops; returns what its scf.yield yields, if it has one."""
        for raw in block.operations:
            op = _op(raw)
            kind = op.name
            if kind == "mx.constant":
                self.constants[op.results[0]] = _constant(op)
                continue
            if kind == "arith.constant":  # a mask, or a kernel loop's bound (read with it)
                mask = bool_constant(op)
                if mask is not None:
                    self.constants[op.results[0]] = mask
                continue
            if kind == "mx.take":
                stacked = self.constants.get(op.operands[0])
                if not isinstance(stacked, MXTensor) or not self.loops:
                    raise NetlistError("mx.take: only of a stacked constant in a kernel loop")
                self.constants[op.results[0]] = LayerStack(stacked, self.loops[-1].layers)
                continue
            if kind == "scf.yield":
                return list(op.operands)
            if kind == "scf.for":
                self._loop(op)
                continue
            if kind == "func.return":
                self._results(op)
                continue
            self._unit(op)
        return None

    def _results(self, op: Any) -> None:
        nl = self.nl
        for k, value in enumerate(op.operands):
            t = _tensor(value.type)
            fmt = _format(t)
            nl.outputs.append(StreamIO(f"out{k}", BlockLayout(fmt).bits, t.num_blocks,
                                       {"result": k, "format": str(fmt),
                                        "shape": list(t.shape), "axis": t.axis}))
            nl.results.append(self.source[value])

    def _loop(self, op: Any) -> None:
        """One copy of the body; per carried value an entry (the loop's input, then the
        fed-back output), an exit (back, or out after the last layer) and a FIFO on
        the feedback path holding the carried tensor."""
        if len(self.loops) > 0:
            raise NetlistError("nested kernel loops are not supported")
        layers = index_constant(op.operands[1])
        body = op.regions[0].blocks[0]
        inits = list(op.operands)[3:]
        entries = []
        for arg, init in zip(list(body.arguments)[1:], inits, strict=True):
            t = _tensor(arg.type)
            width = BlockLayout(_format(t)).bits
            name = self._fresh("loop_entry")
            ei = self._add(build_loop_entry(name, width, t.num_blocks, layers), "loop_entry")
            self.nl.edges[Endpoint(ei, "init")] = self._stream(init)
            entries.append((ei, width, t.num_blocks))
        self.loops.append(_Loop(layers))
        for arg, (ei, _, blocks) in zip(list(body.arguments)[1:], entries, strict=True):
            self._define(arg, Endpoint(ei, "x"), blocks)
        yields = self._block(body)
        if yields is None:
            raise NetlistError("a kernel loop's body has no scf.yield")
        exits = [(self._stream(v), e) for v, e in zip(yields, entries, strict=True)]
        self.loops.pop()
        for (src, (ei, width, blocks)), result in zip(exits, op.results, strict=True):
            xi = self._add(build_loop_exit(self._fresh("loop_exit"), width, blocks, layers),
                           "loop_exit")
            self.nl.edges[Endpoint(xi, "y")] = src
            fi = self._add(build_fifo(self._fresh("fifo"), width, blocks, self.nl.subs), "fifo")
            self.nl.edges[Endpoint(fi, "x")] = Endpoint(xi, "back")
            self.nl.edges[Endpoint(ei, "back")] = Endpoint(fi, "y")
            self._define(result, Endpoint(xi, "out"), blocks)
        self.design.loops.append({"layers": layers, "carried": len(entries)})

    def _unit(self, op: Any) -> None:
        kind = op.name
        if kind not in self.registry:
            raise NetlistError(f"no hardware unit generator for {kind}")
        view = _view(op, self._fresh(kind.split(".")[-1]))
        unit = self.registry[kind](view, self.nl.subs)
        ui = self._add(unit, kind, view.name, unit.ideal_cycles)
        operands = list(op.operands)
        for value, port in zip(operands, unit.operand_ports, strict=True):
            if port is not None:
                self.nl.edges[Endpoint(ui, port)] = self._stream(value)
        self._memories(ui, unit, operands)
        self._define(op.results[0], Endpoint(ui, unit.outputs[0].name),
                     _tensor(op.results[0].type).num_blocks)

    def _memories(self, ui: int, unit: Unit, operands: list[Any]) -> None:
        nl, design = self.nl, self.design
        for mp in unit.memory_ports:
            value = operands[mp.operand]
            name = f"{unit.name}_{mp.name}"
            src: dict = {"contents": mp.contents, **_memory_value(value.type)}
            data = self.constants[value]
            if value in self.arg_index:
                src["argument"] = self.arg_index[value]
                design.memory_args[name] = self.arg_index[value]
            else:
                src["constant"] = f"mem_{name}.hex"
            design.memory_data[name] = data
            if not isinstance(data, LayerStack):
                nl.memories.append(ExternalMemory(name, ui, mp.name, mp.addr_bits,
                                                  mp.data_bits, mp.words, src))
                continue
            # One layer's slice of stacked weights: a reader adds the layer's base.
            if mp.reads_per_pass < 1:
                raise NetlistError(f"unit {unit.name} does not state its reads per pass of "
                                   f"memory {mp.name}: it cannot read per-layer weights")
            reader = build_layer_reader(self._fresh("layer_reader"), mp.addr_bits,
                                        mp.data_bits, mp.words, data.layers, mp.reads_per_pass)
            ri = self._add(reader, "layer_reader")
            nl.edges[Endpoint(ri, "addr")] = Endpoint(ui, f"{mp.name}_addr")
            nl.edges[Endpoint(ui, f"{mp.name}_data")] = Endpoint(ri, "data")
            words = mp.words * data.layers
            src.update({"layers": data.layers, "stride": mp.words})
            nl.memories.append(ExternalMemory(name, ri, "m", clog2(words), mp.data_bits,
                                              words, src))


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
    for src in sorted(consumers, key=lambda e: (e.unit, e.port)):
        dsts = consumers[src]
        if len(dsts) < 2:
            continue
        for dst in dsts:
            name = f"u{len(nl.units)}_fifo"
            fifo = build_fifo(name, nl.stream_width(src), beats[src], nl.subs)
            fi = nl.add_unit(fifo)
            runs = design.unit_ops[src.unit]["runs"] if src.unit >= 0 else 1
            design.unit_ops.append({"unit": name, "op": "fifo", "name": "",
                                    "ideal_cycles": 0, "runs": runs})
            nl.edges[Endpoint(fi, "x")] = src
            out = Endpoint(fi, fifo.outputs[0].name)
            if isinstance(dst, int):
                nl.results[dst] = out
            else:
                nl.edges[dst] = out


def _memory_value(type_: Any) -> dict:
    """The format and shape of a memory's value (an MX tensor, or a mask of i1)."""
    from .. import ir  # not at import: see the module docstring
    from ..dialects import mx  # not at import: see the module docstring

    if mx.TensorType.isinstance(type_):
        t = mx.TensorType(type_)
        return {"format": str(_format(t)), "shape": list(t.shape)}
    return {"format": BOOL_FORMAT, "shape": list(ir.ShapedType(type_).shape)}


def _tensor_view(type_: Any) -> TensorView:
    from .. import ir  # not at import: see the module docstring
    from ..dialects import mx, mxhw  # not at import: see the module docstring

    if not (mxhw.StreamType.isinstance(type_) or mx.TensorType.isinstance(type_)):
        shape = tuple(ir.ShapedType(type_).shape)  # a mask of i1
        return TensorView(shape, None, len(shape) - 1, False)
    t = _tensor(type_)
    return TensorView(tuple(t.shape), _format(t), t.axis, mxhw.StreamType.isinstance(type_))


def _view(op: Any, unit_name: str) -> OpView:
    from ..dialects import mx  # not at import: see the module docstring

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
        from ..dialects import mxhw  # not at import: see the module docstring
        from .units.view import StreamTable

        attrs["stream_table"] = StreamTable(*mxhw.stream_table(op))
    return OpView(op.name, unit_name, tuple(_tensor_view(v.type) for v in op.operands),
                  _tensor_view(op.results[0].type), attrs, _name(op))
