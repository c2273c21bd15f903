"""What a unit generator returns: one ``hw.module`` and how to connect it."""

from __future__ import annotations

from dataclasses import dataclass, field

from .common import Memory

__all__ = ["MemoryPort", "StreamPort", "Unit"]


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
    ``contents`` says how: ``"blocks"`` (one MX block per word, the tensor's layout)
    or ``"row_max_scale"`` (per row of the constant, its largest scale code).
    """

    name: str
    operand: int
    addr_bits: int
    data_bits: int
    words: int
    contents: str = "blocks"


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
    memory_ports: list[MemoryPort] = field(default_factory=list)
    memories: list[Memory] = field(default_factory=list)
    ideal_cycles: int = 0
    channels_in: list[tuple[str, int]] = field(default_factory=list)
    channels_out: list[tuple[str, int]] = field(default_factory=list)
    info: dict = field(default_factory=dict)
