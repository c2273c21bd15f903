"""The dataflow netlist: hardware units connected by streams, and its CIRCT top level.

A :class:`Netlist` holds the generated units, the design's stream inputs and
outputs, the external memories that hold constants (weights, biases, tables), and
the streams between units. :meth:`Netlist.handshake_top` writes the top level as a
CIRCT ``handshake.func``: every unit is a ``handshake.instance`` of an external
function with the unit's stream ports, and a stream that feeds several units gets a
``handshake.fork`` from ``handshake-materialize-forks-sinks``. After
``lower-handshake-to-hw``, the external modules are replaced by the units' own
``hw.module``\\ s (:meth:`Netlist.units_text`).

Units whose modules are identical apart from their names (the q, k, v and o
projections of an attention, the two layer norms of a layer) share one module:
the design instantiates it several times, as hand-written RTL would, so the
Verilog, the Verilator build and the Yosys synthesis pay for it once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from .units.base import Unit
from .units.common import Memory, SubModules

__all__ = ["Endpoint", "ExternalMemory", "Netlist", "StreamIO"]


@dataclass(frozen=True)
class Endpoint:
    """A unit's port: ``(unit index, port name)``; unit -1 is the design boundary."""

    unit: int
    port: str


@dataclass
class StreamIO:
    """A stream crossing the design boundary (one beat = one MX block)."""

    name: str  # the top-level port name
    width: int
    beats: int
    value: dict  # what it carries: {"type": ..., "format": ..., "shape": [...], "index": k}


@dataclass
class ExternalMemory:
    """An external memory read by one unit port (weights, biases, tables)."""

    name: str  # top-level port prefix: <name>_addr / <name>_data
    unit: int
    port: str  # the unit's memory port name
    addr_bits: int
    data_bits: int
    words: int
    source: dict  # {"argument": k} or {"constant": "<file>"} with the words' origin


@dataclass
class Netlist:
    top: str
    units: list[Unit] = field(default_factory=list)
    subs: SubModules = field(default_factory=SubModules)
    inputs: list[StreamIO] = field(default_factory=list)
    outputs: list[StreamIO] = field(default_factory=list)
    memories: list[ExternalMemory] = field(default_factory=list)
    # Connections: destination unit input port <- source (a unit output or a design input).
    edges: dict[Endpoint, Endpoint] = field(default_factory=dict)
    # Design outputs <- unit output ports, in order.
    results: list[Endpoint] = field(default_factory=list)

    # The module of each unit (its own, or an identical one's): unit index -> module name.
    modules: list[str] = field(default_factory=list)
    _module_of_body: dict[str, str] = field(default_factory=dict, repr=False)

    def add_unit(self, unit: Unit) -> int:
        self.units.append(unit)
        self.modules.append(self._module_of_body.setdefault(_body(unit), unit.name))
        return len(self.units) - 1

    def stream_width(self, src: Endpoint) -> int:
        """The beat width of a stream source: a design input or a unit's output."""
        if src.unit < 0:
            return next(s.width for s in self.inputs if s.name == src.port)
        return next(p.width for p in self.units[src.unit].outputs if p.name == src.port)

    @property
    def internal_memories(self) -> list[tuple[str, Memory]]:
        return [(u.name, mem) for u in self.units for mem in u.memories]

    # ---------------------------------------------------------------- CIRCT
    def handshake_top(self) -> str:
        """The top level as a ``handshake.func`` with one instance per unit."""
        lines = ["module {"]
        for unit in self._defining_units():
            ins = [(n, w) for n, w in unit.channels_in]
            outs = [(n, w) for n, w in unit.channels_out]
            args = ", ".join(f"%{n}: i{w}" for n, w in ins)
            res = ", ".join(f"i{w}" for _, w in outs)
            lines.append(
                f"  handshake.func private @{unit.name}({args}) -> ({res}) attributes "
                f"{{argNames = [{_strs(n for n, _ in ins)}], "
                f"resNames = [{_strs(n for n, _ in outs)}]}}")
        top_args: list[tuple[str, int]] = [(s.name, s.width) for s in self.inputs]
        top_args += [(f"{m.name}_data", m.data_bits) for m in self.memories]
        top_res: list[tuple[str, str, int]] = []  # (port name, value, width)
        body: list[str] = []
        value_of: dict[Endpoint, str] = {}
        for k, s in enumerate(self.inputs):
            value_of[Endpoint(-1, s.name)] = f"%in{k}"
        for k, m in enumerate(self.memories):
            value_of[Endpoint(-1, f"{m.name}_data")] = f"%mem{k}"
        # Unit results are named before use: handshake.func bodies are graph regions.
        for ui, unit in enumerate(self.units):
            single = len(unit.channels_out) == 1
            for oi, (name, _) in enumerate(unit.channels_out):
                value_of[Endpoint(ui, name)] = f"%u{ui}" if single else f"%u{ui}#{oi}"
        mem_of_port = {(m.unit, f"{m.port}_data"): m for m in self.memories}
        for ui, unit in enumerate(self.units):
            operands, types = [], []
            for name, width in unit.channels_in:
                mem = mem_of_port.get((ui, name))
                src = (Endpoint(-1, f"{mem.name}_data") if mem is not None
                       else self.edges.get(Endpoint(ui, name)))
                if src is None:
                    raise ValueError(f"unit {unit.name}: input {name} is not connected")
                operands.append(value_of[src])
                types.append(f"i{width}")
            outs = unit.channels_out
            res_types = ", ".join(f"i{w}" for _, w in outs)
            lhs = f"%u{ui}:{len(outs)}" if len(outs) > 1 else f"%u{ui}"
            body.append(f"    {lhs} = handshake.instance @{self.modules[ui]}"
                        f"({', '.join(operands)}) : ({', '.join(types)}) -> ({res_types})")
        for s, src in zip(self.outputs, self.results, strict=True):
            top_res.append((s.name, value_of[src], s.width))
        for m in self.memories:
            top_res.append((f"{m.name}_addr", value_of[Endpoint(m.unit, f"{m.port}_addr")],
                            m.addr_bits))
        sig_args = ", ".join(f"%{'in' if k < len(self.inputs) else 'mem'}"
                             f"{k if k < len(self.inputs) else k - len(self.inputs)}: i{w}"
                             for k, (_, w) in enumerate(top_args))
        lines.append(
            f"  handshake.func @{self.top}({sig_args}) -> "
            f"({', '.join(f'i{w}' for _, _, w in top_res)}) attributes "
            f"{{argNames = [{_strs(n for n, _ in top_args)}], "
            f"resNames = [{_strs(n for n, _, _ in top_res)}]}} {{")
        lines.extend(body)
        lines.append(f"    handshake.return {', '.join(v for _, v, _ in top_res)} : "
                     f"{', '.join(f'i{w}' for _, _, w in top_res)}")
        lines.append("  }")
        lines.append("}")
        return "\n".join(lines) + "\n"

    def units_text(self) -> str:
        """The units' ``hw.module``\\ s and the modules they share, as one module."""
        parts = [u.text for u in self._defining_units()]
        parts += [self.subs.texts[k] for k in sorted(self.subs.texts)]
        return "module {\n" + "\n".join(parts) + "\n}\n"


    def _defining_units(self) -> list[Unit]:
        """The units whose module the design defines (one per distinct module)."""
        return [u for u, m in zip(self.units, self.modules, strict=True) if u.name == m]


def _body(unit: Unit) -> str:
    """The unit's module text with its own name taken out: equal bodies are one module."""
    head = f"hw.module @{unit.name}("
    if unit.text.count(unit.name) != 1 or head not in unit.text:
        return unit.name  # the name is used inside: never shared
    return hashlib.sha256(unit.text.replace(head, "hw.module @(").encode()).hexdigest()


def _strs(names) -> str:
    return ", ".join(f'"{n}"' for n in names)
