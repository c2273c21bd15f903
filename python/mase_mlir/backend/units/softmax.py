"""The softmax row unit: ``mxhw.softmax`` (optionally masked) over the last axis,
``numerics.rows.softmax`` bit for bit.

Softmax needs a row's maximum before any exponential and the exponentials' sum before
any result, so the unit buffers a row and reads it twice, one element per cycle:

1. **fetch** (masked only) the row's mask word from the bit memory, at the address of
   the row's mask row (the mask broadcast over batch and heads by the address pattern);
2. **receive** the row's blocks into the row buffer (one block per cycle), keeping the
   largest kept value ``m`` exactly (a block's largest kept element integer, then a
   comparison of dyadic values across blocks);
3. **prepare** the grid ``g`` and ``floor(m 2^-g)``;
4. **sum**: per element ``x_j`` (the difference to the maximum on the grid, clamped),
   ``y_j = x_j log2(e)``, ``a_j = 2^frac(y_j)`` (table), ``S += a_j 2^(n_max - n_j)``;
5. **reciprocal**: ``S``'s leading bits, ``r = 1/S`` (table);
6. **emit**: the same exponentials again, ``a_j r`` with its exponent into the block
   quantizer (:func:`.common.block_quantizer`), which rounds like
   ``numerics.encode_dyadic``.

Positions the mask drops, and every position of a row it empties, give 0. Widths
follow from the formats, the row length and ``numerics.rows.SOFTMAX``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ...numerics import Format
from ...numerics.rows import SOFTMAX, SoftmaxParams
from ..rtl import ModuleBuilder, RtlError, Sig, clog2
from .base import MemoryPort, OpView, StreamPort, Unit
from .common import (
    BlockLayout,
    Memory,
    SubModules,
    bit_length,
    block_quantizer,
    counter,
    ram,
    signed_bits,
)
from .rows import element_code, rom_interp, scale_code

__all__ = ["SoftmaxSpec", "build_softmax", "mask_addressing", "populate"]

#: Cycles of the prepare and reciprocal phases (their pipeline registers settle).
_PREP_CYCLES = 2
_RECIP_CYCLES = 3


@dataclass(frozen=True)
class SoftmaxSpec:
    name: str
    shape: tuple[int, ...]  # the input's: [..., N]
    x: Format
    out: Format
    mask: tuple[int, ...] | None = None  # the mask's shape (broadcast to `shape`)
    params: SoftmaxParams = SOFTMAX

    @property
    def n(self) -> int:
        return self.shape[-1]

    @property
    def rows(self) -> int:
        return math.prod(self.shape[:-1])


def mask_addressing(shape: tuple[int, ...], mask: tuple[int, ...]
                    ) -> tuple[int, list[tuple[int, int]]]:
    """The mask rows and, per leading dimension of the input (outermost first) with more
    than one index, ``(size, delta)``: the mask row address moves by ``delta`` when that
    dimension steps while the inner ones wrap (0 along a broadcast dimension)."""
    lead = shape[:-1]
    mlead = (1,) * (len(shape) - len(mask)) + tuple(mask[:-1])
    words = math.prod(mlead)
    strides = [math.prod(mlead[k + 1:]) if mlead[k] != 1 else 0 for k in range(len(lead))]
    dims = []
    for k, size in enumerate(lead):
        if size == 1:
            continue
        wrapped = sum((lead[j] - 1) * strides[j] for j in range(k + 1, len(lead)))
        dims.append((size, strides[k] - wrapped))
    return words, dims


def _floor_shift(m: ModuleBuilder, code: Sig, s: Sig, sat: int, width: int, hint: str) -> Sig:
    """``floor(code 2^s)`` for a signed element code and a signed shift ``s``, as a
    ``width``-bit value; left shifts stop at ``sat`` (a larger one keeps the sign and a
    magnitude of at least ``2^sat``: far outside every range the unit compares)."""
    mw = code.width
    ws = s.width
    neg_s = m.bit(s, ws - 1, hint=hint + "_sneg")
    left = m.mux(m.cmp("sgt", s, m.const(sat, ws)), m.const(sat, ws), s, hint=hint + "_l")
    right = m.neg(s, hint=hint + "_r")
    right = m.mux(m.cmp("sgt", right, m.const(mw, ws)), m.const(mw, ws), right)
    wide = m.sext(code, width)
    up = m.shl(wide, m.uresize(left, width), hint=hint + "_up")
    down = m.shrs(wide, m.uresize(right, width), hint=hint + "_dn")
    return m.mux(neg_s, down, up, hint=hint)


def _greater(m: ModuleBuilder, ia: Sig, ca: Sig, ib: Sig, cb: Sig, hint: str) -> Sig:
    """Whether ``ia 2^ca > ib 2^cb`` (element codes of one format, scale codes): the
    operand on the coarser grid is shifted left by the codes' difference, at most M
    bits (beyond that a nonzero value outweighs any element of the other)."""
    mw = ia.width
    wc = ca.width + 1
    dt = m.sub(m.zext(ca, wc), m.zext(cb, wc), hint=hint + "_dt")
    a_up = m.not_(m.bit(dt, wc - 1))
    mag = m.mux(a_up, dt, m.neg(dt))
    amount = m.mux(m.cmp("ugt", mag, m.const(mw, wc)), m.const(mw, wc), mag, hint=hint + "_k")
    w = 2 * mw + 1
    zero = m.const(0, w)
    a = m.shl(m.sext(ia, w), m.mux(a_up, m.uresize(amount, w), zero))
    b = m.shl(m.sext(ib, w), m.mux(a_up, zero, m.uresize(amount, w)))
    return m.cmp("sgt", a, b, hint=hint)


def build_softmax(spec: SoftmaxSpec, subs: SubModules) -> Unit:
    for role, fmt in (("input", spec.x), ("output", spec.out)):
        if not fmt.is_int:
            raise RtlError(f"{spec.name}: the hardware implements MXInt formats only; the "
                           f"{role} is {fmt}")
    P = spec.params
    n, rows = spec.n, spec.rows
    lx = BlockLayout(spec.x)
    bx, mw = spec.x.block_size, spec.x.element_bits
    if n % bx or n % spec.out.block_size:
        raise RtlError(f"{spec.name}: row length {n} is not a multiple of the block sizes")
    nb = n // bx
    wsc = max(spec.x.scale_bits, 1) + 1  # scale codes, unsigned with a spare bit
    code_max = (1 << spec.x.scale_bits) - 1 if lx.has_scale else 0
    # An element's exponent is its block's scale code + k0.
    k0 = -spec.x.scale_bias + spec.x.emin - spec.x.fraction_bits
    m = ModuleBuilder(spec.name)
    mems: list[Memory] = []

    # ---------------------------------------------------------------- phases
    names = ["fetch", "mwait", "recv", "prep", "sum", "recip", "emit"]
    phase, phase_n = m.state(3, reset=names.index("fetch" if spec.mask else "recv"),
                             hint="phase")
    is_ = {k: m.eqc(phase, i, hint=k) for i, k in enumerate(names)}

    # --- fetch the row's mask word ----------------------------------------------------
    ports: list[MemoryPort] = []
    fetched = m.const(0, 1)
    if spec.mask is not None:
        words, dims = mask_addressing(spec.shape, spec.mask)
        aw = max(clog2(words), 1)
        addr, addr_n = m.state(aw, reset=0, hint="m_addr")
        addr_ready = m.out_channel("m_addr", addr, is_["fetch"])
        fire = m.and_(is_["fetch"], addr_ready, hint="m_fire")
        # Per leading dimension a counter; it steps when every inner one wraps, and the
        # innermost that does not wrap moves the address by its delta (all wrap: 0).
        steps = [m.wire(1, "m_dim_step") for _ in dims]
        lasts = [counter(m, size, st, hint="m_dim")[1] for (size, _), st in zip(dims, steps,
                                                                                 strict=True)]
        carry = fire
        for st, last in zip(reversed(steps), reversed(lasts), strict=True):
            m.assign(st, carry)
            carry = m.and_(carry, last)
        nxt = m.const(0, aw)
        for (_, delta), last in zip(dims, lasts, strict=True):
            nxt = m.mux(m.not_(last), m.add(addr, m.const(delta, aw)), nxt, hint="m_next")
        m.assign(addr_n, m.mux(fire, nxt, addr))
        data, data_valid, data_ready = m.in_channel("m_data", n)
        m.assign(data_ready, m.const(1, 1))
        fetched = m.and_(is_["mwait"], data_valid, hint="fetched")
        mrow = m.reg(data, en=fetched, hint="mrow")
        ports.append(MemoryPort("m", 1, aw, n, words, contents="mask_rows",
                                reads_per_pass=rows))
    else:
        fire = m.const(0, 1)

    # --- receive: the row buffer and the largest kept value ---------------------------
    x_data, x_valid, x_ready = m.in_channel("x", lx.bits)
    m.assign(x_ready, is_["recv"])
    take = m.and_(x_valid, is_["recv"], hint="take")
    blk_in, blk_in_last = counter(m, nb, take, hint="blk_in")
    first_in = m.eqc(blk_in, 0) if nb > 1 else m.const(1, 1)
    recv_done = m.and_(take, blk_in_last, hint="recv_done")
    if spec.mask is not None:
        mrecv, mrecv_n = m.state(n, reset=None, hint="mrecv")
        shifted = m.shru(mrecv, m.const(bx, n)) if nb > 1 else mrecv
        m.assign(mrecv_n, m.mux(fetched, data, m.mux(take, shifted, mrecv)))
        keep_blk = [m.bit(mrecv, i) for i in range(bx)]
    else:
        keep_blk = [m.const(1, 1)] * bx
    # The block's largest kept element (a tree of (kept, code) pairs).
    level = [(keep_blk[i], lx.element(m, x_data, i)) for i in range(bx)]
    while len(level) > 1:
        merged = []
        pairs = len(level) // 2
        for (va, ia), (vb, ib) in zip(level[0:2 * pairs:2], level[1:2 * pairs:2], strict=True):
            pick_a = m.and_(va, m.or_(m.not_(vb), m.cmp("sge", ia, ib)), hint="bm_a")
            merged.append((m.or_(va, vb), m.mux(pick_a, ia, ib, hint="bm")))
        if len(level) % 2:
            merged.append(level[-1])
        level = merged
    blk_kept, blk_max = level[0]
    blk_code = scale_code(m, lx, x_data, wsc)
    any_kept, any_kept_n = m.state(1, reset=0, hint="any_kept")
    mx_i, mx_i_n = m.state(mw, reset=None, hint="max_i")
    mx_c, mx_c_n = m.state(wsc, reset=None, hint="max_c")
    have = m.and_(any_kept, m.not_(first_in))  # a maximum so far in this row
    better = m.and_(blk_kept, m.or_(m.not_(have),
                                    _greater(m, blk_max, blk_code, mx_i, mx_c, "gt")),
                    hint="better")
    upd = m.and_(take, better)
    m.assign(mx_i_n, m.mux(upd, blk_max, mx_i))
    m.assign(mx_c_n, m.mux(upd, blk_code, mx_c))
    m.assign(any_kept_n, m.mux(take, m.or_(have, blk_kept), any_kept))

    # --- prepare: g, floor(m 2^-g), the shift onto the 2^-frac grid ---------------------
    # g = max(-frac, floor(log2|m|) - window) (-frac for m = 0); elements' shifts are
    # s_j = code_j - gc with gc = g - k0.
    e_hi = code_max + k0 + mw
    wg = signed_bits(min(-P.frac, k0) - code_max - 2, max(e_hi - P.window, -P.frac) - k0 + 2)
    mag = m.mux(m.bit(mx_i, mw - 1), m.neg(mx_i), mx_i, hint="max_mag")
    blen = bit_length(m, mag, wg, hint="max_bl")
    e_m = m.add(m.add(m.zext(mx_c, wg), blen), m.const(k0 - 1 - P.window, wg), hint="em_w")
    zero_m = m.or_(m.not_(any_kept), m.eqc(mx_i, 0), hint="zero_m")
    g_lo = m.const(-P.frac, wg)
    g = m.mux(m.or_(zero_m, m.cmp("slt", e_m, g_lo)), g_lo, e_m, hint="g")
    gc = m.reg(m.sub(g, m.const(k0, wg)), hint="gc_r")
    sh = m.reg(m.add(g, m.const(P.frac, wg)), hint="sh_r")  # >= 0
    sat = P.window + 3  # |floor(m 2^-g)| < 2^(window+1): anything past 2^sat is far off
    wd = mw + sat + 1
    s_m = m.sub(m.zext(mx_c, wg), gc, hint="s_m")
    f_m = m.reg(_floor_shift(m, mx_i, s_m, sat, wd, "fm"), hint="fm_r")

    # --- the exponential datapath, shared by the sum and emit passes --------------------
    sum_step = is_["sum"]
    emit_step = m.wire(1, "emit_step")
    step = m.or_(sum_step, emit_step, hint="step")
    el, el_last = counter(m, bx, step, hint="el")
    blk, blk_last = counter(m, nb, m.and_(step, el_last), hint="blk")
    pass_last = m.and_(step, m.and_(el_last, blk_last), hint="pass_last")
    row = ram(m, subs, mems, "row", nb, lx.bits, we=take, waddr=blk_in, wdata=x_data,
              raddr=blk)
    if spec.mask is not None:
        mel, mel_n = m.state(n, reset=None, hint="mel")
        load = m.or_(is_["prep"], is_["recip"])
        m.assign(mel_n, m.mux(load, mrow, m.mux(step, m.shru(mel, m.const(1, n)), mel)))
        keep0 = m.bit(mel, 0)
    else:
        keep0 = m.const(1, 1)
    # Stage 1 (data from the buffer): x_j = max(-x_limit, min(d_j, 0) 2^(g + frac)).
    v1 = m.reg(step, reset=0, hint="v1")
    emit1 = m.reg(emit_step, reset=0, hint="emit1")
    keep1 = m.reg(keep0, hint="keep1")
    rd_el = m.reg(el, hint="rd_el")
    code = element_code(m, lx, row, rd_el)
    s_j = m.sub(m.zext(scale_code(m, lx, row, wsc), wg), gc, hint="s_j")
    d_j = m.sub(m.sext(_floor_shift(m, code, s_j, sat, wd, "dj"), wd + 1),
                m.sext(f_m, wd + 1), hint="d")
    d_neg = m.mux(m.bit(d_j, wd), d_j, m.const(0, wd + 1), hint="dneg")
    wx = signed_bits(-P.x_limit, 0)
    lim = m.const(-P.x_limit, wd + 1)
    far = m.cmp("slt", d_neg, lim, hint="far")
    wsh = 2 * wx + 1
    big = m.cmp("uge", sh, m.const(wx + 1, wg), hint="sh_big")
    shifted = m.shl(m.sresize(d_neg, wsh), m.uresize(m.mux(big, m.const(0, wg), sh), wsh),
                    hint="dsh")
    clamp = m.or_(far, m.or_(m.and_(big, m.nez(d_neg)),
                             m.cmp("slt", shifted, m.const(-P.x_limit, wsh))), hint="clamp")
    x = m.mux(clamp, m.const(-P.x_limit, wx), m.sresize(shifted, wx), hint="x")
    x1 = m.reg(x, hint="x1")
    v2 = m.reg(v1, reset=0, hint="v2")
    emit2 = m.reg(emit1, reset=0, hint="emit2")
    keep2 = m.reg(keep1, hint="keep2")
    # Stage 2: y = rshift_round(x log2(e), ...) = -n + f 2^-y_frac.
    ry = P.frac + P.log2e_frac - P.y_frac
    wp = wx + P.log2e.bit_length() + 1
    prod = m.mul(m.sext(x1, wp), m.const(P.log2e, wp), hint="xl")
    y = m.shrs(m.add(prod, m.const(1 << (ry - 1), wp)), m.const(ry, wp), hint="y")
    n_hi = (P.x_limit * P.log2e + (1 << (ry - 1))) >> (ry + P.y_frac)
    wn = max(clog2(n_hi + 2), clog2(P.n_max + 1)) + 1
    n_j = m.uresize(m.neg(m.shrs(y, m.const(P.y_frac, wp))), wn, hint="n")
    f_j = m.extract(y, 0, P.y_frac, hint="f")
    live = m.and_(keep2, m.cmp("ule", n_j, m.const(P.n_max, wn)), hint="live")
    n2, f2, live2 = m.reg(n_j, hint="n2"), m.reg(f_j, hint="f2"), m.reg(live, hint="live2")
    v3 = m.reg(v2, reset=0, hint="v3")
    emit3 = m.reg(emit2, reset=0, hint="emit3")
    # Stage 3: a = 2^f (table with interpolation), 0 where not live.
    a_val = rom_interp(m, "exp2", f2, P.y_frac, P.exp_lut, P.exp_frac)
    wa = P.exp_frac + 2
    a3 = m.reg(m.mux(live2, m.uresize(a_val, wa), m.const(0, wa)), hint="a3")
    n3, live3 = m.reg(n2, hint="n3"), m.reg(live2, hint="live3")
    v4 = m.reg(v3, reset=0, hint="v4")
    emit4 = m.reg(emit3, reset=0, hint="emit4")

    # --- sum: S = sum a_j 2^(n_max - n_j) ----------------------------------------------
    wt = wa + P.n_max + clog2(n + 1) + 1
    total, total_n = m.state(wt, reset=None, hint="total")
    term = m.shl(m.zext(a3, wt), m.uresize(m.sub(m.const(P.n_max, wn), n3), wt), hint="term")
    adding = m.and_(v4, m.not_(emit4))  # (dead terms are 0)
    m.assign(total_n, m.mux(is_["prep"], m.const(0, wt),
                            m.mux(adding, m.add(total, term, hint="sum"), total)))

    # --- reciprocal: p = floor(log2 S), r = 1/(S's top bits) --------------------------
    wl = clog2(wt + 1) + 1
    bl = bit_length(m, total, wl, hint="sum_bl")
    ms = m.shru(total, m.uresize(m.sub(bl, m.const(P.recip_in + 1, wl)), wt), hint="ms")
    # The sum's last term reaches `total` four cycles after its step; these registers
    # take the finished sum once and hold it while the row's last results drain (when a
    # row is one block, the next row is received and its prep clears `total` meanwhile).
    sum_end = m.and_(sum_step, pass_last, hint="sum_end")
    for _ in range(5):
        sum_end = m.reg(sum_end, reset=0, hint="sum_end_d")
    p_r = m.reg(m.sub(bl, m.const(1, wl)), en=sum_end, hint="p_r")
    ms_r = m.reg(m.uresize(ms, P.recip_in + 1), en=sum_end, hint="ms_r")
    r = rom_interp(m, "reciprocal", ms_r, P.recip_in, P.recip_lut, P.recip_frac)
    wr = P.recip_frac + 2
    r_r = m.reg(m.uresize(r, wr), en=m.reg(sum_end, reset=0, hint="sum_end_r"), hint="r_r")

    # --- emit: a_j r 2^(n_max - n_j - recip_frac - p) into the block quantizer ----------
    bo = spec.out.block_size
    credits, credits_n = m.state(2, reset=2, hint="credits")
    release = m.wire(1, "release")
    o_idx, _ = counter(m, bo, emit_step, hint="o_idx")
    starts = m.eqc(o_idx, 0) if bo > 1 else m.const(1, 1)
    credit_ok = m.or_(m.not_(starts), m.or_(m.nez(credits), release), hint="credit_ok")
    m.assign(emit_step, m.and_(is_["emit"], credit_ok))
    acquire = m.and_(emit_step, starts, hint="acquire")
    m.assign(credits_n, m.sub(m.add(credits, m.zext(release, 2)), m.zext(acquire, 2)))
    wv = wa + wr + 1
    mag_v = m.mul(m.zext(a3, wv), m.zext(r_r, wv), hint="ar")
    p_lo = P.exp_frac + P.n_max  # the maximum's own term: S >= 2^p_lo
    p_hi = wt - 1
    e_lo, e_hi = P.n_max - P.n_max - P.recip_frac - p_hi, P.n_max - P.recip_frac - p_lo
    we = signed_bits(e_lo, e_hi) + 1
    e_v = m.sub(m.const(P.n_max - P.recip_frac, we),
                m.add(m.zext(n3, we), m.zext(p_r, we)), hint="e")
    e_v = m.mux(live3, e_v, m.const(e_hi, we))
    q_valid = m.reg(m.and_(v4, emit4), reset=0, hint="q_valid")
    q_v = m.reg(mag_v, hint="q_v")
    q_e = m.reg(e_v, hint="q_e")
    y_ready = m.wire(1, "y_ready_in")
    q = block_quantizer(m, subs, mems, valid=q_valid, v=q_v, e=q_e, out=spec.out,
                        ready=y_ready, e_range=(e_lo, e_hi), name="oq")
    m.assign(release, q.release)
    m.assign(y_ready, m.out_channel("y", q.word, q.valid))

    # --- phase transitions -----------------------------------------------------------
    prep_cnt, prep_last = counter(m, _PREP_CYCLES, is_["prep"], hint="prep_cnt")
    recip_cnt, recip_last = counter(m, _RECIP_CYCLES, is_["recip"], hint="recip_cnt")
    del prep_cnt, recip_cnt

    def go(cond: Sig, to: str, cur: Sig) -> Sig:
        return m.mux(cond, m.const(names.index(to), 3), cur)

    nxt = phase
    if spec.mask is not None:
        nxt = go(fire, "mwait", nxt)
        nxt = go(fetched, "recv", nxt)
    nxt = go(recv_done, "prep", nxt)
    nxt = go(m.and_(is_["prep"], prep_last), "sum", nxt)
    nxt = go(m.and_(sum_step, pass_last), "recip", nxt)
    nxt = go(m.and_(is_["recip"], recip_last), "emit", nxt)
    nxt = go(m.and_(emit_step, pass_last), "fetch" if spec.mask else "recv", nxt)
    m.assign(phase_n, nxt)

    per_row = nb + 2 * n + _PREP_CYCLES + _RECIP_CYCLES + (2 if spec.mask else 0)
    return Unit(
        name=spec.name,
        kind="softmax",
        text=m.text(),
        inputs=[StreamPort("x", lx.bits)],
        outputs=[StreamPort("y", BlockLayout(spec.out).bits)],
        operand_ports=["x"] + [None] * len(ports),
        memory_ports=ports,
        memories=mems,
        ideal_cycles=rows * per_row,
        channels_in=list(m.input_channels),
        channels_out=list(m.output_channels),
        info={"elements_per_cycle": 1, "cycles_per_row": per_row,
              "tables": {"exp2": {"entries": (1 << P.exp_lut) + 1, "bits": P.exp_frac + 2},
                         "reciprocal": {"entries": (1 << P.recip_lut) + 1,
                                        "bits": P.recip_frac + 2}}},
    )


def build(op: OpView, subs: SubModules) -> Unit:
    x = op.operands[0]
    mask = op.operands[1].shape if len(op.operands) > 1 else None
    return build_softmax(SoftmaxSpec(op.unit_name, x.shape, x.fmt, op.result.fmt, mask), subs)


def populate(registry: dict) -> None:
    registry["mxhw.softmax"] = build
