"""The hardware of a kernel loop: one layer's units run every layer.

A kernel loop (``scf.for {mx.kernel_loop}`` over N layers) keeps one copy of its
body's units. Around them:

- :func:`build_loop_entry`, per carried value: the body's input is the loop's input
  for layer 0 and the fed-back output of the previous layer for layers 1..N-1;
- :func:`build_loop_exit`, per carried value: the body's output goes back for layers
  0..N-2 and leaves the loop after layer N-1;
- a FIFO on each feedback path holds the carried tensor, so layer i+1 starts on its
  first blocks while layer i's tail is still running (no drain and fill);
- :func:`build_layer_reader` on every memory port that reads one layer's slice of
  stacked weights: it adds the layer's base (``layer x stride``) to the unit's
  address, and moves to the next layer after the unit's reads of one pass, so each
  unit streams the next layer's weights as soon as it starts the next layer;
- :func:`build_replay` on a stream that the body reads but the loop does not carry
  (e.g. an attention mask): it passes the tensor through for layer 0 and replays it
  from a RAM for the other layers.

All of them count beats or reads, so they run inference after inference with no
reset between them.
"""

from __future__ import annotations

from ..rtl import ModuleBuilder, clog2
from .base import StreamPort, Unit
from .common import Memory, SubModules, counter, ram

__all__ = ["build_layer_reader", "build_loop_entry", "build_loop_exit", "build_replay"]


def _check(name: str, beats: int, layers: int) -> None:
    if beats < 1 or layers < 1:
        raise ValueError(f"{name}: beats and layers must be >= 1, got {beats}, {layers}")


def _unit(m: ModuleBuilder, name: str, kind: str, inputs: list[StreamPort],
          outputs: list[StreamPort], info: dict, memories: list[Memory] | None = None) -> Unit:
    return Unit(name=name, kind=kind, text=m.text(), inputs=inputs, outputs=outputs,
                operand_ports=[p.name for p in inputs], memories=memories or [],
                ideal_cycles=0, channels_in=list(m.input_channels),
                channels_out=list(m.output_channels), info=info)


def build_loop_entry(name: str, width: int, beats: int, layers: int) -> Unit:
    """``x`` = ``init`` for layer 0, ``back`` for the others (``beats`` per layer)."""
    _check(name, beats, layers)
    m = ModuleBuilder(name)
    init, init_valid, init_ready = m.in_channel("init", width)
    back, back_valid, back_ready = m.in_channel("back", width)
    x_ready = m.wire(1, "x_ready_in")
    beat_step = m.wire(1, "beat_step")
    _, beat_last = counter(m, beats, beat_step, hint="beat")
    layer, _ = counter(m, layers, m.and_(beat_step, beat_last), hint="layer")
    first = m.eqc(layer, 0, hint="first") if layers > 1 else m.const(1, 1)
    valid = m.mux(first, init_valid, back_valid, hint="valid")
    m.assign(x_ready, m.out_channel("x", m.mux(first, init, back, hint="data"), valid))
    m.assign(init_ready, m.and_(first, x_ready))
    m.assign(back_ready, m.and_(m.not_(first), x_ready))
    m.assign(beat_step, m.and_(valid, x_ready))
    return _unit(m, name, "loop_entry", [StreamPort("init", width), StreamPort("back", width)],
                 [StreamPort("x", width)], {"beats": beats, "layers": layers})


def build_loop_exit(name: str, width: int, beats: int, layers: int) -> Unit:
    """``y`` goes to ``back`` for layers 0..N-2 and to ``out`` for layer N-1."""
    _check(name, beats, layers)
    m = ModuleBuilder(name)
    y, y_valid, y_ready = m.in_channel("y", width)
    beat_step = m.and_(y_valid, y_ready, hint="beat_step")
    _, beat_last = counter(m, beats, beat_step, hint="beat")
    _, layer_last = counter(m, layers, m.and_(beat_step, beat_last), hint="layer")
    back_ready = m.out_channel("back", y, m.and_(y_valid, m.not_(layer_last)))
    out_ready = m.out_channel("out", y, m.and_(y_valid, layer_last))
    m.assign(y_ready, m.mux(layer_last, out_ready, back_ready))
    return _unit(m, name, "loop_exit", [StreamPort("y", width)],
                 [StreamPort("back", width), StreamPort("out", width)],
                 {"beats": beats, "layers": layers})


def build_layer_reader(name: str, addr_bits: int, data_bits: int, stride: int, layers: int,
                       reads_per_pass: int) -> Unit:
    """A memory port of a unit (``addr`` in, ``data`` out) onto the stacked memory
    (``m_addr`` out, ``m_data`` in): address + layer x ``stride``; the layer advances
    after ``reads_per_pass`` reads. The data passes straight through, so the unit
    sees the memory's one-cycle read latency unchanged."""
    if reads_per_pass < 1:
        raise ValueError(f"{name}: reads per pass must be >= 1, got {reads_per_pass}")
    _check(name, stride, layers)
    m = ModuleBuilder(name)
    wide = clog2(stride * layers)
    addr, addr_valid, addr_ready = m.in_channel("addr", addr_bits)
    mdata, mdata_valid, mdata_ready = m.in_channel("m_data", data_bits)
    base, base_n = m.state(wide, reset=0, hint="base")
    m_addr = m.add(m.uresize(addr, wide), base, hint="m_addr")
    m_ready = m.out_channel("m_addr", m_addr, addr_valid)
    m.assign(addr_ready, m_ready)
    read = m.and_(addr_valid, m_ready, hint="read")
    _, pass_last = counter(m, reads_per_pass, read, hint="reads")
    _, layer_last = counter(m, layers, m.and_(read, pass_last), hint="layer")
    next_base = m.mux(layer_last, m.const(0, wide), m.add(base, m.const(stride, wide)))
    m.assign(base_n, m.mux(m.and_(read, pass_last), next_base, base))
    m.assign(mdata_ready, m.out_channel("data", mdata, mdata_valid))
    return Unit(name=name, kind="layer_reader", text=m.text(),
                inputs=[], outputs=[], operand_ports=[], ideal_cycles=0,
                channels_in=list(m.input_channels), channels_out=list(m.output_channels),
                info={"stride": stride, "layers": layers, "reads_per_pass": reads_per_pass})


def build_replay(name: str, width: int, beats: int, layers: int, subs: SubModules) -> Unit:
    """``y`` = ``x`` for layer 0 (stored on the way), then ``layers - 1`` replays of
    the stored tensor from a RAM."""
    _check(name, beats, layers)
    m = ModuleBuilder(name)
    mems: list[Memory] = []
    x, x_valid, x_ready = m.in_channel("x", width)
    y_ready = m.wire(1, "y_ready_in")
    step = m.wire(1, "step")
    aw = clog2(beats)
    beat, beat_last = counter(m, beats, step, hint="beat")
    layer, layer_last = counter(m, layers, m.and_(step, beat_last), hint="layer")
    first = m.eqc(layer, 0, hint="first")
    # Replays read the RAM one cycle ahead of the beat they show; the cycle that
    # ends layer 0 shows nothing, so a beat written in that cycle is read after it.
    out_valid, out_valid_n = m.state(1, reset=0, hint="out_valid")
    take = m.and_(m.and_(m.not_(first), out_valid), y_ready, hint="take")
    nxt = m.mux(beat_last, m.const(0, aw), m.add(beat, m.const(1, aw)), hint="adv")
    raddr = m.mux(take, nxt, beat, hint="raddr")
    ending = m.and_(step, beat_last, hint="ending")
    leaving_first = m.and_(first, ending)
    done = m.and_(ending, layer_last)
    m.assign(out_valid_n, m.and_(m.or_(m.not_(first), leaving_first),
                                 m.not_(m.or_(leaving_first, done))))
    put = m.and_(m.and_(first, x_valid), y_ready, hint="put")
    rdata = ram(m, subs, mems, "store", beats, width, we=put, waddr=beat, wdata=x,
                raddr=raddr)
    valid = m.mux(first, x_valid, out_valid, hint="valid")
    m.assign(y_ready, m.out_channel("y", m.mux(first, x, rdata, hint="data"), valid))
    m.assign(x_ready, m.and_(first, y_ready))
    m.assign(step, m.and_(valid, y_ready))
    return _unit(m, name, "replay", [StreamPort("x", width)], [StreamPort("y", width)],
                 {"beats": beats, "layers": layers}, mems)
