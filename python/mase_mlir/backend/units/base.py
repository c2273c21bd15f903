"""What a unit generator sees (:class:`OpView`) and returns (:class:`Unit`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...numerics import Format
from .common import Memory

__all__ = ["MemoryPort", "OpView", "StreamPort", "TensorView", "Unit"]


@dataclass(frozen=True)
class TensorView:
    """The MX tensor of an operand or result (a stream's, or a memory's); ``fmt`` is
    None for a tensor of i1 (a mask in a bit memory)."""

    shape: tuple[int, ...]
    fmt: Format | None
    axis: int
    stream: bool

    @property
    def elements(self) -> int:
        n = 1
        for d in self.shape:
            n *= d
        return n


@dataclass(frozen=True)
class OpView:
    """An ``mxhw`` op as a unit builder needs it: its name, the unit's module name,
    its operands' and result's tensors, and its attributes (as Python values:
    strings for dialect attributes, e.g. ``"bounded<4>"`` for ``acc``)."""

    kind: str
    unit_name: str
    operands: tuple[TensorView, ...]
    result: TensorView
    attributes: dict[str, Any]
    name: str = ""


@dataclass(frozen=True)
class StreamPort:
    """A ready/valid stream port (an ESI channel) carrying one ``width``-bit beat per
    transfer (one MX block, or one chunk of a non-MX tensor)."""

    name: str
    width: int


@dataclass(frozen=True)
class MemoryPort:
    """An external synchronous memory read port: the unit sends addresses on the
    ``<name>_addr`` channel and receives the word one cycle later on ``<name>_data``.

    ``operand`` is the index of the unit's operand whose constant fills the memory;
    ``contents`` says how: ``"blocks"`` (one MX block per word, the tensor's layout),
    ``"row_max_scale"`` (per row of the constant, its largest scale code) or
    ``"mask_rows"`` (a tensor of i1: one row of its last axis per word, bit j =
    position j).
    ``reads_per_pass`` is how many addresses the unit sends while it computes one
    result tensor: a kernel loop's layer reader moves to the next layer's weights
    after that many (0: unknown, the port cannot read per-layer weights).
    """

    name: str
    operand: int
    addr_bits: int
    data_bits: int
    words: int
    contents: str = "blocks"
    reads_per_pass: int = 0


@dataclass
class Unit:
    """A generated operator: its module (``text``), ports and resources.

    ``inputs``/``outputs`` are in operand/result order (streams only); ``memory_ports``
    read constants from external memories; ``memories`` are the unit's internal RAMs.
    ``channels_in``/``channels_out`` list every ESI channel port of the module in port
    order (streams and memory address/data channels). ``ideal_cycles`` is the unit's
    cycle count at full throughput.
    """

    name: str
    kind: str
    text: str
    inputs: list[StreamPort]
    outputs: list[StreamPort]
    #: For each op operand, the input stream port that receives it, or None for an
    #: operand read from a memory (see ``memory_ports``).
    operand_ports: list[str | None] = field(default_factory=list)
    memory_ports: list[MemoryPort] = field(default_factory=list)
    memories: list[Memory] = field(default_factory=list)
    ideal_cycles: int = 0
    channels_in: list[tuple[str, int]] = field(default_factory=list)
    channels_out: list[tuple[str, int]] = field(default_factory=list)
    info: dict = field(default_factory=dict)
