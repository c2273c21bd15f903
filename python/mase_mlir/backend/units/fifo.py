"""A stream FIFO in a RAM: buffering on a stream between units.

One beat per cycle in and out, ``depth`` beats of storage in a RAM macro (no data
registers: the output is the RAM's registered read port, kept pointing at the head).
The output is valid when the head entry was in the RAM before the read that shows it:
``valid(c) = count(c-1) - taken(c-1) > 0``. First-word latency two cycles.
"""

from __future__ import annotations

from ..rtl import ModuleBuilder, Sig, clog2
from .base import StreamPort, Unit
from .common import Memory, SubModules, ram

__all__ = ["build_fifo"]


def build_fifo(name: str, width: int, depth: int, subs: SubModules) -> Unit:
    if depth < 1:
        raise ValueError(f"{name}: FIFO depth must be >= 1, got {depth}")
    m = ModuleBuilder(name)
    mems: list[Memory] = []
    data, valid, ready = m.in_channel("x", width)
    cw = clog2(depth + 1)
    count, count_n = m.state(cw, reset=0, hint="count")
    aw = clog2(depth)

    def advance(ptr: Sig) -> Sig:
        if depth == 1:
            return m.const(0, aw)
        wrap = m.eqc(ptr, depth - 1)
        return m.mux(wrap, m.const(0, aw), m.add(ptr, m.const(1, aw)), hint="adv")

    head, head_n = m.state(aw, reset=0, hint="head")
    tail, tail_n = m.state(aw, reset=0, hint="tail")
    out_valid, out_valid_n = m.state(1, reset=0, hint="out_valid")
    y_ready = m.wire(1, "y_ready_in")
    take = m.and_(out_valid, y_ready, hint="take")
    not_full = m.cmp("ult", count, m.const(depth, cw), hint="not_full")
    m.assign(ready, not_full)
    put = m.and_(valid, not_full, hint="put")
    m.assign(tail_n, m.mux(put, advance(tail), tail))
    next_head = m.mux(take, advance(head), head, hint="next_head")
    m.assign(head_n, next_head)
    after_take = m.sub(count, m.zext(take, cw), hint="after_take")
    m.assign(count_n, m.add(after_take, m.zext(put, cw)))
    # What the read of this cycle (at next_head) sees: the entries present now.
    m.assign(out_valid_n, m.nez(after_take))
    rdata = ram(m, subs, mems, "store", depth, width, we=put, waddr=tail, wdata=data,
                raddr=next_head)
    m.assign(y_ready, m.out_channel("y", rdata, out_valid))
    return Unit(
        name=name, kind="fifo", text=m.text(),
        inputs=[StreamPort("x", width)], outputs=[StreamPort("y", width)],
        operand_ports=["x"], memories=mems, ideal_cycles=0,
        channels_in=list(m.input_channels), channels_out=list(m.output_channels),
        info={"depth": depth},
    )
