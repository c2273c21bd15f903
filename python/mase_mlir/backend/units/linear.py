"""The linear unit: ``y = x W^T + b`` over MX blocks, one block dot product per cycle.

Streams: ``x`` (rows x K, blocks along K, row-major) in, ``y`` (rows x N, blocks along
N) out. Weights (N x K, blocks along K), the weight rows' largest scale codes and the
optional bias (N, blocked) are read from external memories (one word = one block,
one code, one block). Each x row is kept in a two-row buffer, where its largest
scale is found as it streams in, and reused for the N outputs while the next row
streams in.

Pipeline (one term per cycle): issue (addresses) -> the x and W blocks land ->
``g`` element products and the exponent add -> adder tree -> accumulator -> bias
term -> block quantizer. The accumulator is ``numerics.accumulate``'s: ``bounded<G>``
(every term shifted right onto the output's bound ``E0`` known before its first
term, then added: no realignment, one shifter) or ``exact`` (one wide accumulator
with the smallest possible exponent as its LSB).

The pieces every contraction unit shares are functions here: :func:`row_buffer` (the
streamed operand's two-row buffer), :func:`issue_counters` (the order of the terms),
:func:`issue_credits` (the output stage's credits) and :func:`contraction_datapath`
(from the block products to the output stream). The matmul unit (``units/matmul.py``)
reads its second operand from its own buffer instead of a weight memory.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...numerics import Format
from ...numerics.accumulate import Accumulation, bounded_width, contraction_layout
from ..rtl import ModuleBuilder, RtlError, Sig, clog2
from .base import MemoryPort, OpView, StreamPort, Unit
from .common import (
    BlockLayout,
    Memory,
    SubModules,
    block_quantizer,
    counter,
    half_address,
    ram,
    signed_bits,
)

__all__ = [
    "ContractionSpec",
    "IssueCounters",
    "LinearSpec",
    "RowBuffer",
    "build_linear",
    "check_contraction",
    "contraction_datapath",
    "issue_counters",
    "issue_credits",
    "populate",
    "row_buffer",
    "row_read",
]


@dataclass(frozen=True)
class ContractionSpec:
    """The arithmetic of a contraction ``x [rows, K] . w [N, K]^T (+ b)``: what the
    datapath depends on."""

    name: str
    k: int
    n: int
    x: Format
    w: Format
    out: Format
    acc: Accumulation
    bias: Format | None = None

    @property
    def g(self) -> int:
        """Lanes: the common sub-block of the two operands along K."""
        return min(self.x.block_size, self.w.block_size)


@dataclass(frozen=True)
class LinearSpec:
    name: str
    rows: int
    k: int
    n: int
    x: Format
    w: Format
    out: Format
    acc: Accumulation
    bias: Format | None = None

    @property
    def contraction(self) -> ContractionSpec:
        return ContractionSpec(self.name, self.k, self.n, self.x, self.w, self.out, self.acc,
                               self.bias)


def _lsb(fmt: Format) -> int:
    return -(fmt.element_bits - 2)


def check_contraction(spec: ContractionSpec, roles: tuple[str, str] = ("input", "weight")
                      ) -> None:
    """MXInt formats only; block sizes along K that divide one another."""
    for role, fmt in ((roles[0], spec.x), (roles[1], spec.w), ("output", spec.out),
                      ("bias", spec.bias)):
        if fmt is not None and not fmt.is_int:
            raise RtlError(f"{spec.name}: the hardware implements MXInt formats only; "
                           f"the {role} is {fmt}")
    bx, bw = spec.x.block_size, spec.w.block_size
    if max(bx, bw) % min(bx, bw):
        raise RtlError(f"{spec.name}: block sizes along K must divide one another "
                       f"({bx} and {bw})")


def adder_tree(m: ModuleBuilder, vals: list[Sig]) -> Sig:
    while len(vals) > 1:
        nxt = [m.add(vals[i], vals[i + 1], hint="tree") for i in range(0, len(vals) - 1, 2)]
        if len(vals) % 2:
            nxt.append(vals[-1])
        vals = nxt
    return vals[0]


def floor_shift(m: ModuleBuilder, p: Sig, shift: Sig, guard_bits: int, width: int,
                hint: str) -> Sig:
    """``floor(p * 2^G / 2^shift)`` as a signed ``width``-bit value, for an unsigned
    ``shift`` below ``width`` (callers clamp: a larger shift gives the same sign bits)."""
    pg = m.shl(m.sext(p, width), m.const(guard_bits, width), hint=hint + "_pg")
    return m.shrs(pg, m.uresize(shift, width), hint=hint)


def clamp_shift(m: ModuleBuilder, shift: Sig, width: int, hint: str) -> Sig:
    """A non-negative ``shift`` saturated to the all-ones ``clog2(width)``-bit amount: any
    shift of ``width - 1`` or more leaves only sign bits (or zeros to the left)."""
    bits = clog2(width)
    if shift.width <= bits:
        return m.uresize(shift, bits, hint=hint)
    high = m.nez(m.extract(shift, bits, shift.width - bits))
    return m.mux(high, m.const(-1, bits), m.extract(shift, 0, bits), hint=hint)


# ---------------------------------------------------------------- shared pieces
@dataclass
class RowBuffer:
    """The two-row buffer of a streamed operand (:func:`row_buffer`)."""

    data: Sig  # the stream's data
    take: Sig  # a block is taken this cycle
    index: Sig  # its block index in the row
    half: Sig  # the half being written
    written: Sig  # the row's last block is taken this cycle
    full: Sig  # rows complete in the buffer (0..2)
    full_next: Sig  # wire, assigned by issue_counters
    xmax: list[Sig]  # per half: the row's largest scale code (bounded accumulation)
    blocks: int  # blocks per row


def row_buffer(m: ModuleBuilder, channel: tuple[Sig, Sig, Sig], fmt: Format, k: int,
               exact: bool) -> RowBuffer:
    """Rows of ``k`` values (blocks of ``fmt``) from ``channel`` (data, valid, ready) are
    taken while a half of the buffer is free; for a bounded accumulation each row's
    largest scale code is found as it streams in. The RAM is :func:`row_read`."""
    data, valid, ready = channel
    layout = BlockLayout(fmt)
    blocks = k // fmt.block_size
    rows_full, rows_full_n = m.state(2, reset=0, hint="rows_full")
    write_ok = m.cmp("ult", rows_full, m.const(2, 2), hint="write_ok")
    m.assign(ready, write_ok)
    take = m.and_(valid, write_ok, hint="x_take")
    index, index_last = counter(m, blocks, take, hint="kx_in")
    half, half_n = m.state(1, reset=0, hint="half_in")
    written = m.and_(take, index_last, hint="row_written")
    m.assign(half_n, m.xor(half, written))
    xmax = []  # per half: the largest x scale code of the row
    if layout.has_scale and not exact:
        ex = fmt.scale_bits
        code = m.extract(data, fmt.block_size * fmt.element_bits, ex, hint="x_scode")
        run, run_n = m.state(ex, reset=None, hint="xmax_run")
        first_blk = m.eqc(index, 0) if blocks > 1 else m.const(1, 1)
        cur = m.mux(m.or_(first_blk, m.cmp("ugt", code, run)), code, run, hint="xmax_cur")
        m.assign(run_n, m.mux(take, cur, run))
        for h in range(2):
            reg, reg_n = m.state(ex, reset=None, hint=f"xmax{h}")
            mine = m.and_(written, m.eqc(half, h))
            m.assign(reg_n, m.mux(mine, cur, reg))
            xmax.append(reg)
    return RowBuffer(data, take, index, half, written, rows_full, rows_full_n, xmax, blocks)


@dataclass
class IssueCounters:
    """Where the issue side is: for each output n (of N), the K/g terms of its dot
    product, reading row half ``half_out`` of the row buffer."""

    issue: Sig  # wire: assigned by the unit when a term issues
    kg_first: Sig
    kg_last: Sig
    n_step: Sig  # the last term of an output issues
    n_last: Sig
    row_done: Sig  # the last term of the row issues
    half_out: Sig
    xsub: Sig  # the g-lane slice of the x block
    wsub: Sig  # the g-lane slice of the w block
    wsub_last: Sig
    kx_rd: Sig  # the x block of the term
    e_cnt: Sig  # the output's position in its output block


def issue_counters(m: ModuleBuilder, spec: ContractionSpec, rows: RowBuffer) -> IssueCounters:
    """The issue side's counters; a row leaves the buffer when its last term issues."""
    g = spec.g
    kg_n = spec.k // g
    issue = m.wire(1, "issue")
    kg, kg_last = counter(m, kg_n, issue, hint="kg")
    kg_first = m.eqc(kg, 0) if kg_n > 1 else m.const(1, 1)
    n_step = m.and_(issue, kg_last)
    _, n_last = counter(m, spec.n, n_step, hint="n")
    e_cnt, _ = counter(m, spec.out.block_size, n_step, hint="e")
    row_done = m.and_(n_step, n_last, hint="row_done")
    half_out, half_out_n = m.state(1, reset=0, hint="half_out")
    m.assign(half_out_n, m.xor(half_out, row_done))
    # Rows complete in the buffer: +1 when written, -1 when their last read issued.
    m.assign(rows.full_next, m.sub(m.add(rows.full, m.zext(rows.written, 2)),
                                   m.zext(row_done, 2)))
    xsub_n, wsub_n = spec.x.block_size // g, spec.w.block_size // g
    xsub, xsub_last = counter(m, xsub_n, issue, hint="xsub")
    kx_rd, kx_rd_n = m.state(clog2(rows.blocks), reset=0, hint="kx_rd")
    kx_adv = m.mux(xsub_last, m.add(kx_rd, m.const(1, kx_rd.width)), kx_rd)
    m.assign(kx_rd_n, m.mux(issue, m.mux(kg_last, m.const(0, kx_rd.width), kx_adv), kx_rd))
    wsub, wsub_last = counter(m, wsub_n, issue, hint="wsub")
    return IssueCounters(issue, kg_first, kg_last, n_step, n_last, row_done, half_out, xsub,
                         wsub, wsub_last, kx_rd, e_cnt)


def issue_credits(m: ModuleBuilder, c: IssueCounters, ready: Sig) -> tuple[Sig, Sig]:
    """Two credits for the output stage's block slots: a term that starts an output block
    may issue only with a credit (or as one is released), so the pipeline never stalls.
    ``ready``: every other condition of issuing. Returns ``(pre_issue, release)``
    (``release``: a wire the datapath assigns); the unit then assigns ``c.issue``."""
    credits, credits_n = m.state(2, reset=2, hint="credits")
    block_start = m.and_(c.kg_first, m.eqc(c.e_cnt, 0), hint="block_start")
    release = m.wire(1, "release")
    credit_ok = m.or_(m.not_(block_start), m.or_(m.nez(credits), release), hint="credit_ok")
    pre = m.and_(ready, credit_ok, hint="pre_issue")
    acquire = m.and_(c.issue, block_start, hint="acquire")
    m.assign(credits_n, m.sub(m.add(credits, m.zext(release, 2)), m.zext(acquire, 2)))
    return pre, release


def row_read(m: ModuleBuilder, subs: SubModules, mems: list[Memory], rows: RowBuffer,
             c: IssueCounters, width: int) -> Sig:
    """The row buffer's RAM: written as the rows stream in, read at the issued term's x
    block (the word lands one cycle later, with the other operand's)."""
    raddr = half_address(m, c.half_out, c.kx_rd, rows.blocks, "xrd")
    waddr = half_address(m, rows.half, rows.index, rows.blocks, "xwr")
    return ram(m, subs, mems, "xbuf", 2 * rows.blocks, width, we=rows.take, waddr=waddr,
               wdata=rows.data, raddr=raddr)


@dataclass
class BiasRead:
    """The bias block landing with the first term of an output, and the element of it
    that belongs to the output (stage 1)."""

    word: Sig
    select: Sig  # registered with the term: the element index


def contraction_datapath(m: ModuleBuilder, subs: SubModules, mems: list[Memory],
                         spec: ContractionSpec, c: IssueCounters, *, x_word: Sig, w_word: Sig,
                         xmax1: Sig | None, wmax: Sig | None, bias: BiasRead | None,
                         release: Sig) -> dict:
    """Stages 1-5 of a contraction, from the x and w blocks (``x_word``, ``w_word``: they
    land one cycle after the term issues) to the ``y`` output stream.

    ``xmax1``: the x row's largest scale code (registered with the term); ``wmax``: the
    w row's largest scale code (landing with the output's first term); both only for a
    bounded accumulation of MX operands. Assigns ``release`` (a quantizer block slot is
    free). Returns facts about the datapath for the unit's report."""
    lx, lw = BlockLayout(spec.x), BlockLayout(spec.w)
    g = spec.g
    kg_n = spec.k // g
    layout = contraction_layout(spec.x, spec.w, spec.k, spec.acc, spec.bias)
    exact = spec.acc.is_exact
    g_bits = 0 if exact else spec.acc.guard_bits
    has_bias = bias is not None
    lb = BlockLayout(spec.bias) if has_bias else None

    # ------------------------------------------------------ stage 1: products
    v1 = m.reg(c.issue, reset=0, hint="v1")
    first1 = m.reg(c.kg_first, hint="first1")
    last1 = m.reg(c.kg_last, hint="last1")
    xsub1 = m.reg(c.xsub, hint="xsub1")
    wsub1 = m.reg(c.wsub, hint="wsub1")
    xsub_n, wsub_n = spec.x.block_size // g, spec.w.block_size // g

    def pick(word: Sig, layout_: BlockLayout, sub: Sig, nsub: int, i: int) -> Sig:
        lanes = [layout_.element(m, word, j * g + i) for j in range(nsub)]
        out = lanes[0]
        for j in range(1, nsub):
            out = m.mux(m.eqc(sub, j), lanes[j], out)
        return out

    wp = spec.x.element_bits + spec.w.element_bits
    prods = []
    for i in range(g):
        xi = m.sext(pick(x_word, lx, xsub1, xsub_n, i), wp)
        wi = m.sext(pick(w_word, lw, wsub1, wsub_n, i), wp)
        prods.append(m.mul(xi, wi, hint=f"p{i}"))
    # Exponents in "code space": a block product's exponent is cx + cw + OFF (scale
    # codes and the constant OFF of biases and element LSBs), so only code sums move
    # through the pipeline. Each term's right shift onto the output's bound is
    # computed here and carried as a few bits.
    lsb_xw = _lsb(spec.x) + _lsb(spec.w)
    off = lsb_xw - spec.x.scale_bias - spec.w.scale_bias
    boff = (_lsb(spec.bias) - spec.bias.scale_bias - off) if has_bias else 0
    cx_max = (1 << spec.x.scale_bits) - 1 if lx.has_scale else 0
    cw_max = (1 << spec.w.scale_bits) - 1 if lw.has_scale else 0
    cb_max = (1 << spec.bias.scale_bits) - 1 if has_bias and lb.has_scale else 0
    lo_c = min(0, boff) if has_bias else 0
    hi_c = max(cx_max + cw_max, boff + cb_max if has_bias else 0)
    wc = signed_bits(lo_c - 1, hi_c + 1)

    def code_of(word: Sig, layout_: BlockLayout, fmt: Format) -> Sig:
        if not layout_.has_scale:
            return m.const(0, wc)
        return m.zext(m.extract(word, fmt.block_size * fmt.element_bits, fmt.scale_bits), wc)

    tc1 = m.add(code_of(x_word, lx, spec.x), code_of(w_word, lw, spec.w), hint="tc1")
    if exact:
        e0c = m.const(lo_c, wc)  # the wide accumulator's LSB
    else:
        xpart = m.zext(xmax1, wc) if xmax1 is not None else m.const(0, wc)
        wpart = m.zext(wmax, wc) if wmax is not None else m.const(0, wc)
        e0c = m.add(xpart, wpart, hint="e0c")
    if has_bias:
        elems = [lb.element(m, bias.word, i) for i in range(spec.bias.block_size)]
        bel = elems[0]
        for i in range(1, len(elems)):
            bel = m.mux(m.eqc(bias.select, i), elems[i], bel)
        tbc = m.add(code_of(bias.word, lb, spec.bias), m.const(boff, wc), hint="tbc")
        if not exact:
            e0c = m.mux(m.cmp("sgt", tbc, e0c), tbc, e0c, hint="e0cb")
        # Held from the first term to the last, then down the pipeline with it: the
        # bias is the output's last term.
        held_i, held_i_n = m.state(bel.width, reset=None, hint="bias_held")
        held_t, held_t_n = m.state(wc, reset=None, hint="bias_held_t")
        take_b = m.and_(v1, first1)
        m.assign(held_i_n, m.mux(take_b, bel, held_i))
        m.assign(held_t_n, m.mux(take_b, tbc, held_t))
        bias_i1 = m.mux(first1, bel, held_i, hint="bias_i1")
        bias_t1 = m.mux(first1, tbc, held_t, hint="bias_t1")
    bound1, bound1_n = m.state(wc, reset=None, hint="bound1")
    cur1 = m.mux(first1, e0c, bound1, hint="cur1")
    m.assign(bound1_n, m.mux(v1, cur1, bound1))
    # Fixed-point operands without a bias: every term has the same exponent, the sum
    # is exact and needs neither guard bits nor shifts (the value is the same).
    lean = not lx.has_scale and not lw.has_scale and not has_bias
    wa = bounded_width([layout.term_bits] * kg_n, 0) if lean else layout.width
    # bounded: floor-shift right by bound - t; exact: shift left by t - lowest.
    diff = m.sub(cur1, tc1, hint="tshift") if not exact else m.sub(tc1, cur1, hint="tshift")
    shift1 = clamp_shift(m, diff, wa, "shift1")

    # ------------------------------------------------------ stage 2: adder tree
    v2 = m.reg(v1, reset=0, hint="v2")
    first2 = m.reg(first1, hint="first2")
    last2 = m.reg(last1, hint="last2")
    shift2 = m.reg(shift1, hint="shift2")
    cur2 = m.reg(cur1, hint="cur2")
    if has_bias:
        bias_i2, bias_t2 = m.reg(bias_i1, hint="bias_i2"), m.reg(bias_t1, hint="bias_t2")
    prods2 = [m.reg(p, hint=f"pr{i}") for i, p in enumerate(prods)]
    wt = layout.term_bits
    p3 = adder_tree(m, [m.sext(p, wt) if wt >= wp else m.sresize(p, wt) for p in prods2])

    # ------------------------------------------------------ stage 3: accumulate
    v3 = m.reg(v2, reset=0, hint="v3")
    first3 = m.reg(first2, hint="first3")
    last3 = m.reg(last2, hint="last3")
    shift3 = m.reg(shift2, hint="shift3")
    cur3 = m.reg(cur2, hint="cur3")
    if has_bias:
        bias_i, bias_t = m.reg(bias_i2, hint="bias_i3"), m.reg(bias_t2, hint="bias_t3")
    p3r = m.reg(p3, hint="p3")
    a, a_n = m.state(wa, reset=None, hint="acc")
    if lean:
        term = m.sext(p3r, wa)
    elif exact:
        term = m.shl(m.sext(p3r, wa), m.uresize(shift3, wa), hint="term")
    else:
        term = floor_shift(m, p3r, shift3, g_bits, wa, hint="term")
    a_next = m.mux(first3, term, m.add(a, term), hint="acc_sum")
    m.assign(a_n, m.mux(v3, a_next, a))
    done4 = m.reg(m.and_(v3, last3), reset=0, hint="v4")
    a4 = m.reg(a_next, hint="a4")
    cur4 = m.reg(cur3, hint="cur4")
    if has_bias:
        bias_i, bias_t = m.reg(bias_i, hint="bias_i4"), m.reg(bias_t, hint="bias_t4")

    # ------------------------------------------------------ stage 4: bias term
    if has_bias:
        if exact:
            sb = clamp_shift(m, m.sub(bias_t, cur4), wa, "bshift")
            v_out = m.add(a4, m.shl(m.sext(bias_i, wa), m.uresize(sb, wa)), hint="with_bias")
        else:
            sb = clamp_shift(m, m.sub(cur4, bias_t), wa, "bshift")
            v_out = m.add(a4, floor_shift(m, bias_i, sb, g_bits, wa, hint="bterm"),
                          hint="with_bias")
    else:
        v_out = a4
    # The value's exponent is cur + off - G: the quantizer adds the constant.
    e_out = m.const(0, wc) if lean else cur4
    v5 = m.reg(done4, reset=0, hint="v5")
    val5 = m.reg(v_out, hint="val5")
    exp5 = m.reg(e_out, hint="exp5")

    # ------------------------------------------------------------ quantizer
    const_t = not lx.has_scale and not lw.has_scale and not (has_bias and lb.has_scale)
    e_const = None
    if lean:
        e_const = off
    elif exact:
        e_const = lo_c + off
    elif const_t:
        e_const = (max(0, boff) if has_bias else 0) + off - g_bits
    y_ready = m.wire(1, "y_ready_in")
    e_offset = off if lean else off - g_bits
    q = block_quantizer(m, subs, mems, valid=v5, v=val5, e=exp5, out=spec.out, ready=y_ready,
                        e_const=None if e_const is None else e_const - e_offset,
                        e_range=(lo_c, hi_c), e_offset=e_offset, name="oq")
    m.assign(release, q.release)
    m.assign(y_ready, m.out_channel("y", q.word, q.valid))
    return {"accumulator_bits": wa, "term_bits": layout.term_bits, "lanes": g}


# ----------------------------------------------------------------- the linear unit
def build_linear(spec: LinearSpec, subs: SubModules) -> Unit:
    cs = spec.contraction
    check_contraction(cs)
    m = ModuleBuilder(spec.name)
    mems: list[Memory] = []
    lx, lw, lo = BlockLayout(spec.x), BlockLayout(spec.w), BlockLayout(spec.out)
    kbw = spec.k // spec.w.block_size
    exact = spec.acc.is_exact
    has_bias = spec.bias is not None
    lb = BlockLayout(spec.bias) if has_bias else None

    # ---------------------------------------------------------------- ports
    x_chan = m.in_channel("x", lx.bits)
    w_words = spec.n * kbw
    w_data, _, w_data_ready = m.in_channel("w_data", lw.bits)
    m.assign(w_data_ready, m.const(1, 1))
    wexp = lw.has_scale and not exact
    e_data = None
    if wexp:
        e_data, _, e_data_ready = m.in_channel("wexp_data", spec.w.scale_bits)
        m.assign(e_data_ready, m.const(1, 1))
    if has_bias:
        b_words = spec.n // spec.bias.block_size
        b_data, _, b_data_ready = m.in_channel("b_data", lb.bits)
        m.assign(b_data_ready, m.const(1, 1))

    rows = row_buffer(m, x_chan, spec.x, spec.k, exact)
    c = issue_counters(m, cs, rows)
    # Weight addresses: the N x K/B weight blocks in order, once per row.
    w_aw = clog2(w_words)
    w_addr, w_addr_n = m.state(w_aw, reset=0, hint="w_addr")
    w_adv = m.mux(c.wsub_last, m.add(w_addr, m.const(1, w_aw)), w_addr)
    m.assign(w_addr_n, m.mux(c.issue, m.mux(c.row_done, m.const(0, w_aw), w_adv), w_addr))
    n_aw = clog2(spec.n)
    n_addr, n_addr_n = m.state(n_aw, reset=0, hint="n_addr")  # the output index n
    m.assign(n_addr_n, m.mux(c.n_step, m.mux(c.n_last, m.const(0, n_aw),
                                             m.add(n_addr, m.const(1, n_aw))), n_addr))
    x_ok = m.nez(rows.full, hint="x_ok")  # the whole row: its largest scale is known

    # Memory requests: weights every term; the weight row's scale and the bias with
    # the first term of each output. A term issues when every memory takes its address.
    requests: list[tuple[str, Sig, Sig]] = [("w_addr", w_addr, m.const(1, 1))]
    if wexp:
        requests.append(("wexp_addr", n_addr, c.kg_first))
    bias = None
    if has_bias:
        b_aw = clog2(b_words)
        bsel, bsel_last = counter(m, spec.bias.block_size, c.n_step, hint="bsel")
        b_addr, b_addr_n = m.state(b_aw, reset=0, hint="b_addr")
        b_adv = m.mux(bsel_last, m.add(b_addr, m.const(1, b_aw)), b_addr)
        m.assign(b_addr_n, m.mux(c.n_step, m.mux(c.n_last, m.const(0, b_aw), b_adv), b_addr))
        requests.append(("b_addr", b_addr, c.kg_first))
        bias = BiasRead(b_data, m.reg(bsel, hint="bsel1"))
    valids = [m.wire(1, f"{name}_valid") for name, _, _ in requests]
    readies = [m.out_channel(name, addr, v) for (name, addr, _), v in zip(requests, valids,
                                                                          strict=True)]
    granted = [m.or_(m.not_(needed), ready)
               for (_, _, needed), ready in zip(requests, readies, strict=True)]
    all_ready = m.all_of(granted, hint="mem_ready")
    pre, release = issue_credits(m, c, x_ok)
    m.assign(c.issue, m.and_(pre, all_ready))
    for (_, _, needed), v in zip(requests, valids, strict=True):
        m.assign(v, m.and_(m.and_(pre, needed), all_ready))

    x_word = row_read(m, subs, mems, rows, c, lx.bits)
    xmax1 = m.reg(m.mux(c.half_out, rows.xmax[1], rows.xmax[0]), hint="xmax1") \
        if rows.xmax else None
    info = contraction_datapath(m, subs, mems, cs, c, x_word=x_word, w_word=w_data,
                                xmax1=xmax1, wmax=e_data, bias=bias, release=release)

    # Reads per result tensor: a weight block every term, the row scale and the bias
    # block with each output's first term.
    terms, outputs = spec.rows * spec.n * (spec.k // cs.g), spec.rows * spec.n
    ports = [MemoryPort("w", 1, w_aw, lw.bits, w_words, reads_per_pass=terms)]
    if wexp:
        ports.append(MemoryPort("wexp", 1, n_aw, spec.w.scale_bits, spec.n,
                                contents="row_max_scale", reads_per_pass=outputs))
    if has_bias:
        ports.append(MemoryPort("b", 2, clog2(b_words), lb.bits, b_words,
                                reads_per_pass=outputs))
    return Unit(
        name=spec.name,
        kind="linear",
        text=m.text(),
        inputs=[StreamPort("x", lx.bits)],
        outputs=[StreamPort("y", lo.bits)],
        operand_ports=["x", None] + ([None] if has_bias else []),
        memory_ports=ports,
        memories=mems,
        ideal_cycles=terms,
        channels_in=list(m.input_channels),
        channels_out=list(m.output_channels),
        info=info,
    )


def _from_op(op: OpView, subs: SubModules) -> Unit:
    x, w = op.operands[0], op.operands[1]
    bias = op.operands[2].fmt if len(op.operands) > 2 else None
    rows = x.elements // x.shape[-1]
    spec = LinearSpec(op.unit_name, rows, x.shape[-1], w.shape[0], x.fmt, w.fmt, op.result.fmt,
                      Accumulation.parse(op.attributes.get("acc")), bias)
    return build_linear(spec, subs)


def populate(registry: dict) -> None:
    registry["mxhw.linear"] = _from_op
