"""The matmul unit: ``y = a b^T`` with both operands streamed (attention's Q.K^T and P.V).

Streams: ``a`` (the lhs ``[batch, M, K]``, blocked along K, row by row) and ``b`` (the
rhs as ``[rhs batch, N, K]``, blocked along K: for each output column its K/B blocks,
like a linear's weight) in; ``y`` (``[batch, M, N]``, blocked along N) out. The
``mxhw.batch_matmul`` op takes its rhs in this transposed form: the lowering puts the
transpose into the view that produces the rhs (the key of Q.K^T is already in this
order; the value of P.V is re-blocked into it).

* Each rhs batch is written into a two-batch buffer (a RAM), so that the next batch
  streams in while the current one is used. An rhs batch serves ``G`` consecutive
  result batches (batch broadcasting: the K/V heads that grouped-query attention shares
  between query heads).
* For a bounded accumulation the largest scale code of each rhs column (its K/B blocks
  arrive together) is found as the batch streams in and kept in a small RAM, the
  largest lhs scale of each row in the row buffer: the output's bound ``E0`` is their
  sum, known before the first term, as ``numerics.blockmath.matmul`` defines it.

The rest is the linear's (``units/linear.py``): the lhs row buffer, the issue counters,
one block dot product per cycle through the same datapath and block quantizer; the
rhs buffer takes the place of the weight memory.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...numerics import Format
from ...numerics.accumulate import Accumulation
from ..rtl import ModuleBuilder, RtlError, clog2
from .base import OpView, StreamPort, Unit
from .common import BlockLayout, Memory, SubModules, counter, half_address, ram
from .linear import (
    ContractionSpec,
    check_contraction,
    contraction_datapath,
    issue_counters,
    issue_credits,
    row_buffer,
    row_read,
)

__all__ = ["MatmulSpec", "build_matmul", "populate"]


@dataclass(frozen=True)
class MatmulSpec:
    name: str
    batches: int  # result batches
    rhs_batches: int  # each rhs batch serves batches / rhs_batches consecutive ones
    m: int
    k: int
    n: int
    a: Format
    b: Format
    out: Format
    acc: Accumulation

    @property
    def contraction(self) -> ContractionSpec:
        return ContractionSpec(self.name, self.k, self.n, self.a, self.b, self.out, self.acc)


def build_matmul(spec: MatmulSpec, subs: SubModules) -> Unit:
    cs = spec.contraction
    check_contraction(cs, roles=("lhs", "rhs"))
    if spec.rhs_batches < 1 or spec.batches % spec.rhs_batches:
        raise RtlError(f"{spec.name}: {spec.rhs_batches} rhs batches cannot serve "
                       f"{spec.batches} result batches")
    m = ModuleBuilder(spec.name)
    mems: list[Memory] = []
    la, lb, lo = BlockLayout(spec.a), BlockLayout(spec.b), BlockLayout(spec.out)
    exact = spec.acc.is_exact
    kbw, n = spec.k // spec.b.block_size, spec.n
    words = kbw * n  # rhs blocks per batch

    a_chan = m.in_channel("a", la.bits)
    b_data, b_valid, b_ready = m.in_channel("b", lb.bits)

    # ------------------------------------------------------------ rhs buffer
    b_full, b_full_n = m.state(2, reset=0, hint="rhs_full")
    b_free = m.cmp("ult", b_full, m.const(2, 2), hint="rhs_free")
    m.assign(b_ready, b_free)
    b_take = m.and_(b_valid, b_free, hint="rhs_take")
    b_idx, b_idx_last = counter(m, words, b_take, hint="rhs_in")
    b_half, b_half_n = m.state(1, reset=0, hint="rhs_half_in")
    b_written = m.and_(b_take, b_idx_last, hint="rhs_written")
    m.assign(b_half_n, m.xor(b_half, b_written))
    kb_in, kb_last = counter(m, kbw, b_take, hint="rhs_kb")
    col, _ = counter(m, n, m.and_(b_take, kb_last), hint="rhs_col")
    colmax = lb.has_scale and not exact
    if colmax:  # each column's largest scale code, written with its last block
        ex = spec.b.scale_bits
        code = m.extract(b_data, spec.b.block_size * spec.b.element_bits, ex, hint="b_scode")
        first_kb = m.eqc(kb_in, 0) if kbw > 1 else m.const(1, 1)
        run, run_n = m.state(ex, reset=None, hint="cm_run")
        cm_new = m.mux(m.or_(first_kb, m.cmp("ugt", code, run)), code, run, hint="cm_cur")
        m.assign(run_n, m.mux(b_take, cm_new, run))
        cm_we = m.and_(b_take, kb_last, hint="cm_we")
        cm_waddr = half_address(m, b_half, col, n, "cm_wa")

    # ------------------------------------------------------------- lhs and issue
    rows = row_buffer(m, a_chan, spec.a, spec.k, exact)
    c = issue_counters(m, cs, rows)
    _, m_last = counter(m, spec.m, c.row_done, hint="row")
    batch_done = m.and_(c.row_done, m_last, hint="batch_done")
    _, g_last = counter(m, spec.batches // spec.rhs_batches, batch_done, hint="group")
    b_release = m.and_(batch_done, g_last, hint="rhs_release")
    b_rd_half, b_rd_half_n = m.state(1, reset=0, hint="rhs_half_out")
    m.assign(b_rd_half_n, m.xor(b_rd_half, b_release))
    m.assign(b_full_n, m.sub(m.add(b_full, m.zext(b_written, 2)), m.zext(b_release, 2)))

    n_aw = clog2(n)
    n_addr, n_addr_n = m.state(n_aw, reset=0, hint="n_addr")  # the output column
    m.assign(n_addr_n, m.mux(c.n_step, m.mux(c.n_last, m.const(0, n_aw),
                                             m.add(n_addr, m.const(1, n_aw))), n_addr))
    # The rhs blocks of a batch in order (column by column), once per lhs row.
    waw = clog2(words)
    w_loc, w_loc_n = m.state(waw, reset=0, hint="rhs_rd")
    w_adv = m.mux(c.wsub_last, m.add(w_loc, m.const(1, waw)), w_loc)
    m.assign(w_loc_n, m.mux(c.issue, m.mux(c.row_done, m.const(0, waw), w_adv), w_loc))

    # A term issues when its lhs row and its rhs batch are complete (their largest
    # scales are known) and the output stage has room.
    ok = m.and_(m.nez(rows.full), m.nez(b_full), hint="operands_ok")
    pre, release = issue_credits(m, c, ok)
    m.assign(c.issue, pre)

    b_word = ram(m, subs, mems, "rhsbuf", 2 * words, lb.bits, we=b_take,
                 waddr=half_address(m, b_half, b_idx, words, "rhs_wa"), wdata=b_data,
                 raddr=half_address(m, b_rd_half, w_loc, words, "rhs_ra"))
    wmax = None
    if colmax:
        wmax = ram(m, subs, mems, "colmax", 2 * n, ex, we=cm_we, waddr=cm_waddr, wdata=cm_new,
                   raddr=half_address(m, b_rd_half, n_addr, n, "cm_ra"))
    x_word = row_read(m, subs, mems, rows, c, la.bits)
    xmax1 = m.reg(m.mux(c.half_out, rows.xmax[1], rows.xmax[0]), hint="xmax1") \
        if rows.xmax else None
    info = contraction_datapath(m, subs, mems, cs, c, x_word=x_word, w_word=b_word, xmax1=xmax1,
                                wmax=wmax, bias=None, release=release)
    info["rhs_group"] = spec.batches // spec.rhs_batches
    return Unit(
        name=spec.name,
        kind="batch_matmul",
        text=m.text(),
        inputs=[StreamPort("a", la.bits), StreamPort("b", lb.bits)],
        outputs=[StreamPort("y", lo.bits)],
        operand_ports=["a", "b"],
        memories=mems,
        ideal_cycles=spec.batches * spec.m * spec.n * (spec.k // cs.g),
        channels_in=list(m.input_channels),
        channels_out=list(m.output_channels),
        info=info,
    )


def _batches(shape: tuple[int, ...]) -> int:
    count = 1
    for d in shape[:-2]:
        count *= d
    return count


def _from_op(op: OpView, subs: SubModules) -> Unit:
    a, b, y = op.operands[0], op.operands[1], op.result
    spec = MatmulSpec(op.unit_name, _batches(y.shape), _batches(b.shape), a.shape[-2],
                      a.shape[-1], b.shape[-2], a.fmt, b.fmt, y.fmt,
                      Accumulation.parse(op.attributes.get("acc")))
    return build_matmul(spec, subs)


def populate(registry: dict) -> None:
    registry["mxhw.batch_matmul"] = _from_op
