"""Row units: layer_norm and rms_norm over the last axis (``numerics.rows``, bit for bit);
softmax is in :mod:`.softmax`.

A row unit needs a whole row before it can emit any of it (its statistics), so it
works row by row in four phases:

1. **receive** the row's blocks into a row buffer (one block per cycle), keeping the
   largest scale code ``tmax``;
2. **statistics**, one element per cycle from the buffer: ``x_j = floor(I_j 2^(guard
   - (tmax - scale_j)))``, ``S1 = sum x_j``, ``S2 = sum x_j^2``;
3. **scale**: ``Q = N S2 - S1^2`` (``N S2`` for rms_norm), ``z = Q + N^2 eps
   4^(guard - tmax)`` truncated to its top bits exactly (:func:`_rsqrt_argument`) and
   ``y = 1/sqrt`` from a table with linear interpolation;
4. **emit**, one element per cycle: ``n_j = rshift_round((N x_j - S1) y, ...)``, times
   the weight, plus the bias (both from external memories), one exact dyadic value per
   cycle into the block quantizer (:func:`.common.block_quantizer`), which rounds it
   like ``numerics.encode_dyadic``.

Widths follow from the formats, the row length and ``numerics.rows.NORM``.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from ...numerics import Format
from ...numerics.fixedpoint import TABLE_FUNCTIONS, function_table
from ...numerics.rows import NORM, NormParams
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

__all__ = ["NormSpec", "build_norm", "element_code", "populate", "rom_interp", "scale_code"]

#: Cycles of the scale phase (its pipeline registers).
_SCALE_CYCLES = 4


@dataclass(frozen=True)
class NormSpec:
    name: str
    centered: bool  # layer_norm (x - mean) or rms_norm
    rows: int
    n: int  # row length
    x: Format
    out: Format
    eps: float
    weight: Format | None = None
    bias: Format | None = None
    params: NormParams = NORM


def _check_int(spec_name: str, role: str, fmt: Format | None) -> None:
    if fmt is not None and not fmt.is_int:
        raise RtlError(f"{spec_name}: the hardware implements MXInt formats only; the {role} "
                       f"is {fmt}")


def scale_code(m: ModuleBuilder, layout: BlockLayout, word: Sig, width: int) -> Sig:
    """The block's scale code (unsigned, ``width`` bits; 0 for fixed point)."""
    f = layout.fmt
    if not layout.has_scale:
        return m.const(0, width)
    return m.zext(m.extract(word, f.block_size * f.element_bits, f.scale_bits, hint="scode"),
                  width)


def element_code(m: ModuleBuilder, layout: BlockLayout, word: Sig, idx: Sig) -> Sig:
    """Element ``idx`` of a block word (a mux over the block's elements)."""
    b = layout.fmt.block_size
    code = layout.element(m, word, 0)
    for i in range(1, b):
        code = m.mux(m.eqc(idx, i), layout.element(m, word, i), code, hint="elem")
    return code


def rom_interp(m: ModuleBuilder, name: str, arg: Sig, arg_frac: int, lut: int,
               out_frac: int) -> Sig:
    """``numerics.fixedpoint.table_interp(name, arg, arg_frac, lut, out_frac)``: a ROM of
    ``(T[i], T[i+1] - T[i])`` (a constant mux tree) and the interpolation
    ``T[i] + rshift_round(delta * rem, arg_frac - lut)``, as a signed value wide enough
    for the table's entries."""
    _, lo, span = TABLE_FUNCTIONS[name]
    table = [int(v) for v in function_table(name, lut, out_frac)]
    entries = span << lut
    rem_bits = arg_frac - lut
    deltas = [table[i + 1] - table[i] for i in range(entries)]
    wt = max(v.bit_length() for v in table) + 1  # signed room
    wd = signed_bits(min(deltas), max(deltas))
    iw = clog2(entries)
    idx = m.sub(m.uresize(m.shru(arg, m.const(rem_bits, arg.width)), iw + 1),
                m.const(lo << lut, iw + 1), hint=f"{name}_idx")
    idx = m.extract(idx, 0, iw)
    # A balanced mux tree over the index bits, least significant first.
    level = [m.const((table[i] << wd) | (deltas[i] & ((1 << wd) - 1)), wt + wd)
             for i in range(entries)]
    level += [level[-1]] * ((1 << iw) - entries)
    for k in range(iw):
        sel = m.bit(idx, k)
        level = [m.mux(sel, level[2 * i + 1], level[2 * i], hint=f"{name}_rom")
                 for i in range(len(level) // 2)]
    word = level[0]
    t0 = m.extract(word, wd, wt)
    delta = m.extract(word, 0, wd)
    wp = wd + rem_bits + 1
    rem = m.zext(m.extract(arg, 0, rem_bits), wp) if rem_bits else m.const(0, wp)
    prod = m.mul(m.sext(delta, wp), rem, hint=f"{name}_dp")
    if rem_bits:
        prod = m.shrs(m.add(prod, m.const(1 << (rem_bits - 1), wp)),
                      m.const(rem_bits, wp), hint=f"{name}_rs")
    w = max(wt, wp) + 1
    return m.add(m.sext(t0, w), m.sext(prod, w), hint=f"{name}_val")


def _eps_term(spec: NormSpec) -> tuple[int, int]:
    """``N^2 eps = ce * 2^e0`` with ``ce`` odd (``(0, 0)`` for eps = 0)."""
    v = Fraction(spec.eps) * spec.n * spec.n
    if v == 0:
        return 0, 0
    num, den = v.numerator, v.denominator  # den is a power of two
    e0 = -(den.bit_length() - 1)
    while num % 2 == 0:
        num //= 2
        e0 += 1
    return num, e0


def build_norm(spec: NormSpec, subs: SubModules) -> Unit:
    for role, fmt in (("input", spec.x), ("output", spec.out), ("weight", spec.weight),
                      ("bias", spec.bias)):
        _check_int(spec.name, role, fmt)
    P = spec.params
    n, g = spec.n, P.guard
    lx = BlockLayout(spec.x)
    bx, mx = spec.x.block_size, spec.x.element_bits
    nb = n // bx
    if n % bx:
        raise RtlError(f"{spec.name}: row length {n} is not a multiple of the block size {bx}")
    m = ModuleBuilder(spec.name)
    mems: list[Memory] = []
    wsc = max(spec.x.scale_bits, 1) + 1  # scale codes, unsigned with a spare bit

    # ---------------------------------------------------------------- phases
    # 0 receive, 1 statistics, 2 scale, 3 emit
    phase, phase_n = m.state(2, reset=0, hint="phase")
    in_recv, in_stat = m.eqc(phase, 0, hint="recv"), m.eqc(phase, 1, hint="stat")
    in_scale, in_emit = m.eqc(phase, 2, hint="scale"), m.eqc(phase, 3, hint="emit")

    # --- receive ---------------------------------------------------------------------
    x_data, x_valid, x_ready = m.in_channel("x", lx.bits)
    m.assign(x_ready, in_recv)
    take = m.and_(x_valid, in_recv, hint="take")
    blk_in, blk_in_last = counter(m, nb, take, hint="blk_in")
    first_in = m.eqc(blk_in, 0) if nb > 1 else m.const(1, 1)
    scode_in = scale_code(m, lx, x_data, wsc)
    tmax, tmax_n = m.state(wsc, reset=None, hint="tmax")
    bigger = m.or_(first_in, m.cmp("ugt", scode_in, tmax))
    m.assign(tmax_n, m.mux(m.and_(take, bigger), scode_in, tmax))
    recv_done = m.and_(take, blk_in_last, hint="recv_done")

    # --- statistics: one element per cycle from the row buffer -------------------------
    stat_step = in_stat
    s_el, s_el_last = counter(m, bx, stat_step, hint="s_el")
    s_blk, s_blk_last = counter(m, nb, m.and_(stat_step, s_el_last), hint="s_blk")
    stat_last = m.and_(stat_step, m.and_(s_el_last, s_blk_last), hint="stat_last")

    emit_step = m.wire(1, "emit_step")
    e_el, e_el_last = counter(m, bx, emit_step, hint="e_el")
    e_blk, e_blk_last = counter(m, nb, m.and_(emit_step, e_el_last), hint="e_blk")
    emit_last = m.and_(emit_step, m.and_(e_el_last, e_blk_last), hint="emit_last")

    raddr = m.mux(in_stat, s_blk, e_blk, hint="raddr")
    row = ram(m, subs, mems, "row", nb, lx.bits, we=take, waddr=blk_in, wdata=x_data,
              raddr=raddr)
    # Data of the read issued last cycle, and which element of it.
    rd_el = m.reg(m.mux(in_stat, s_el, e_el), hint="rd_el")
    wx = mx + g
    cap = wx - 1  # an arithmetic shift this far leaves only the sign
    d = m.sub(tmax, scale_code(m, lx, row, wsc), hint="d")
    dc = m.mux(m.cmp("ugt", d, m.const(cap, wsc)), m.const(cap, wsc), d, hint="dc")
    code = element_code(m, lx, row, rd_el)
    x = m.shrs(m.shl(m.sext(code, wx), m.const(g, wx)), m.uresize(dc, wx), hint="x")

    nbits = clog2(n + 1)
    w1 = wx + nbits
    w2 = 2 * wx + nbits
    stat_v = m.reg(stat_step, reset=0, hint="stat_v")
    first_stat = m.reg(m.and_(stat_step, m.eqc(m.concat(s_blk, s_el), 0)), hint="first_stat")
    s1, s1_n = m.state(w1, reset=None, hint="s1")
    s2, s2_n = m.state(w2, reset=None, hint="s2")
    x1 = m.sext(x, w1)
    sq = m.mul(m.sext(x, w2), m.sext(x, w2), hint="sq")
    m.assign(s1_n, m.mux(stat_v, m.add(m.mux(first_stat, m.const(0, w1), s1), x1), s1))
    m.assign(s2_n, m.mux(stat_v, m.add(m.mux(first_stat, m.const(0, w2), s2), sq), s2))

    # --- scale: z, 1/sqrt(z) -----------------------------------------------------------
    # Stable inputs (S1, S2, tmax) during the phase; its registers settle in
    # _SCALE_CYCLES cycles (the last statistic lands on the phase's first cycle).
    sc_cnt, sc_last = counter(m, _SCALE_CYCLES + 1, in_scale, hint="sc")
    wq = 2 * (wx - 1) + (n * n).bit_length() + 1
    ns2 = m.mul(m.sext(s2, wq), m.const(n, wq), hint="ns2")
    if spec.centered:
        quad = m.sub(ns2, m.mul(m.sext(s1, wq), m.sext(s1, wq), hint="s1sq"), hint="quad")
    else:
        quad = ns2
    quad = m.reg(quad, hint="quad_r")  # >= 0 (Cauchy-Schwarz)
    y_in, kk, wk = _rsqrt_argument(m, spec, quad, m.reg(tmax, hint="tmax_r"))
    y_in = m.reg(y_in, hint="yin_r")
    kk = m.reg(kk, hint="kk_r")
    y = rom_interp(m, "rsqrt", y_in, P.z_frac, P.lut, P.r_frac)
    y = m.reg(y, hint="y_r")
    zero_q = m.reg(m.reg(m.eqc(quad, 0)), hint="zq_r")

    # --- emit ------------------------------------------------------------------------
    # Per output block one quantizer credit, taken at its first value.
    bo = spec.out.block_size
    credits, credits_n = m.state(2, reset=2, hint="credits")
    release = m.wire(1, "release")
    o_idx, _ = counter(m, bo, emit_step, hint="o_idx")
    starts = m.eqc(o_idx, 0) if bo > 1 else m.const(1, 1)
    credit_ok = m.or_(m.not_(starts), m.or_(m.nez(credits), release), hint="credit_ok")
    pre = m.and_(in_emit, credit_ok, hint="pre")
    ports: list[MemoryPort] = []
    requests: list[tuple[str, Sig]] = []
    word_of: dict[str, tuple[Sig, Sig, BlockLayout]] = {}
    for role, fmt, operand in (("w", spec.weight, 1),
                               ("b", spec.bias, 1 + (spec.weight is not None))):
        if fmt is None:
            continue
        lay = BlockLayout(fmt)
        words = n // fmt.block_size
        el, el_last = counter(m, fmt.block_size, emit_step, hint=f"{role}_el")
        addr, _ = counter(m, words, m.and_(emit_step, el_last), hint=f"{role}_blk")
        data, _, data_ready = m.in_channel(f"{role}_data", lay.bits)
        m.assign(data_ready, m.const(1, 1))
        requests.append((f"{role}_addr", m.uresize(addr, max(clog2(words), 1))))
        word_of[role] = (data, m.reg(el, hint=f"{role}_rel"), lay)
        # One read per element emitted (its weight/bias block, again for each element).
        ports.append(MemoryPort(role, operand, max(clog2(words), 1), lay.bits, words,
                                reads_per_pass=spec.rows * n))
    valids = [m.wire(1, f"{name}_valid") for name, _ in requests]
    readies = [m.out_channel(name, addr, v) for (name, addr), v in zip(requests, valids,
                                                                      strict=True)]
    all_ready = m.all_of(readies, hint="mem_ready")
    m.assign(emit_step, m.and_(pre, all_ready))
    for v in valids:
        m.assign(v, m.and_(pre, all_ready))
    acquire = m.and_(emit_step, starts, hint="acquire")
    m.assign(credits_n, m.sub(m.add(credits, m.zext(release, 2)), m.zext(acquire, 2)))

    # Stage 1 (the cycle after the step): n_j = rshift_round((N x_j - S1) y, sh).
    e1 = m.reg(emit_step, reset=0, hint="e1")
    wdv = w1 + nbits + 1
    dv = m.sext(m.mul(m.sext(x, wdv), m.const(n, wdv), hint="nx"), wdv)
    if spec.centered:
        dv = m.sub(dv, m.sext(s1, wdv), hint="dv")
    wy = y.width
    wpr = wdv + wy
    prod = m.mul(m.sext(dv, wpr), m.sext(y, wpr), hint="prod")
    # sh = r_frac + kk - n_frac >= 1 (kk >= 0 whenever Q >= 1).
    sh_w = max(wk, clog2(wpr + 2)) + 2
    sh = m.add(m.zext(kk, sh_w), m.const(P.r_frac - P.n_frac, sh_w), hint="sh")
    big_sh = m.cmp("ugt", sh, m.const(wpr, sh_w), hint="big_sh")
    wr = wpr + 1
    shc = m.mux(big_sh, m.const(wpr, sh_w), sh)
    half = m.shl(m.const(1, wr), m.uresize(m.sub(shc, m.const(1, sh_w)), wr), hint="half")
    rounded = m.shrs(m.add(m.sext(prod, wr), half), m.uresize(shc, wr), hint="rounded")
    wn = P.n_frac + (n.bit_length() + 1) // 2 + 3  # |n_j| <= sqrt(N) (1 + tiny)
    normed = m.mux(m.or_(big_sh, zero_q), m.const(0, wn), m.sresize(rounded, wn),
                   hint="normed")

    # Terms: n_j * w_j * 2^(-n_frac + t_w) and b_j * 2^t_b; exponents as code offsets.
    terms: list[tuple[Sig, Sig, int, int, int]] = []  # (value, ecode, offset, lo, hi)
    if "w" in word_of:
        data, rel, lay = word_of["w"]
        wc = element_code(m, lay, data, rel)
        wt = wn + lay.fmt.element_bits
        t1 = m.mul(m.sext(normed, wt), m.sext(wc, wt), hint="nw")
        wcode = scale_code(m, lay, data, max(lay.fmt.scale_bits, 1) + 1)
        off = -P.n_frac - lay.fmt.scale_bias - (lay.fmt.element_bits - 2)
        hi = (1 << lay.fmt.scale_bits) - 1 if lay.has_scale else 0
        terms.append((t1, wcode, off, 0, hi))
    else:
        terms.append((normed, m.const(0, 1), -P.n_frac, 0, 0))
    if "b" in word_of:
        data, rel, lay = word_of["b"]
        bc = element_code(m, lay, data, rel)
        bcode = scale_code(m, lay, data, max(lay.fmt.scale_bits, 1) + 1)
        off = -lay.fmt.scale_bias - (lay.fmt.element_bits - 2)
        hi = (1 << lay.fmt.scale_bits) - 1 if lay.has_scale else 0
        terms.append((bc, bcode, off, 0, hi))
    v1, ecode1, e_off, e_lo, e_hi = _exact_sum(m, spec.out, terms)
    v2 = m.reg(v1, hint="v2")
    ex2 = m.reg(ecode1, hint="ex2")
    q_valid = m.reg(e1, reset=0, hint="q_valid")
    y_ready = m.wire(1, "y_ready_in")
    q = block_quantizer(m, subs, mems, valid=q_valid, v=v2, e=ex2, out=spec.out,
                        ready=y_ready, e_range=(e_lo, e_hi), e_offset=e_off, name="oq")
    m.assign(release, q.release)
    m.assign(y_ready, m.out_channel("y", q.word, q.valid))

    # --- phase transitions -----------------------------------------------------------
    nxt = m.mux(recv_done, m.const(1, 2), phase)
    nxt = m.mux(stat_last, m.const(2, 2), nxt)
    nxt = m.mux(m.and_(in_scale, sc_last), m.const(3, 2), nxt)
    nxt = m.mux(emit_last, m.const(0, 2), nxt)
    m.assign(phase_n, nxt)

    per_row = nb + 2 * n + _SCALE_CYCLES + 2
    return Unit(
        name=spec.name,
        kind="layer_norm" if spec.centered else "rms_norm",
        text=m.text(),
        inputs=[StreamPort("x", lx.bits)],
        outputs=[StreamPort("y", BlockLayout(spec.out).bits)],
        operand_ports=["x"] + [None] * len(ports),
        memory_ports=ports,
        memories=mems,
        ideal_cycles=spec.rows * per_row,
        channels_in=list(m.input_channels),
        channels_out=list(m.output_channels),
        info={"elements_per_cycle": 1, "cycles_per_row": per_row,
              "tables": {"rsqrt": {"entries": 3 << P.lut, "bits": P.r_frac + 1}}},
    )


def _rsqrt_argument(m: ModuleBuilder, spec: NormSpec, quad: Sig, tmax: Sig
                    ) -> tuple[Sig, Sig, int]:
    """``y_in = floor(z 2^(z_frac - 2 kk))`` and ``kk = floor(log2 z) >> 1`` for ``z = Q
    + ce 2^ec``, ``ec = e0 + 2 guard - 2 tmax`` (``Q`` an integer, ``ce`` a constant).

    With ``eb = max(ec, 0)`` the term on the coarser grid is ``big`` and the other
    ``small``; ``S = big 2^F + floor(small 2^(F - (eb - es)))`` (``F = z_frac + 1``) is
    ``floor(z 2^(F - eb))`` exactly, and every bit ``y_in`` needs is in it (``floor(log2
    z) >= eb``). Registers in between are the scale phase's pipeline.
    """
    P = spec.params
    fz = P.z_frac + 1
    ce, e0 = _eps_term(spec)
    f = spec.x
    lsb = -(f.element_bits - 2)
    # tmax (exponent) = code - bias + lsb; ec = k0 - 2 code.
    k0 = e0 + 2 * P.guard + 2 * f.scale_bias - 2 * lsb
    code_hi = (1 << f.scale_bits) - 1 if BlockLayout(f).has_scale else 0
    wq = quad.width
    wce = max(ce.bit_length(), 1)
    ws = max(wq, wce) + fz + 2
    if ce == 0:
        s = m.shl(m.zext(quad, ws), m.const(fz, ws), hint="zs")
        eb = None
        web = 2
    else:
        wec = max(signed_bits(min(k0 - 2 * code_hi, 0) - 1, max(k0, 0) + 1),
                  clog2(ws + 1) + 1)  # room for the shift clamp too
        ec = m.sub(m.const(k0, wec), m.shl(m.zext(tmax, wec), m.const(1, wec)), hint="ec")
        pos = m.not_(m.bit(ec, wec - 1), hint="ec_pos")
        mag = m.mux(pos, ec, m.neg(ec), hint="ec_mag")
        amount = m.mux(m.cmp("ugt", mag, m.const(ws, wec)), m.const(ws, wec), mag)
        qf = m.shl(m.zext(quad, ws), m.const(fz, ws))
        cf = m.const(ce << fz, ws)
        big = m.mux(pos, cf, qf, hint="z_big")
        small = m.mux(pos, qf, cf, hint="z_small")
        s = m.add(big, m.shru(small, m.uresize(amount, ws)), hint="zs")
        web = wec + 1
        eb = m.mux(pos, m.sext(ec, web), m.const(0, web), hint="eb")
    s = m.reg(s, hint="zs_r")
    if eb is not None:
        eb = m.reg(eb, hint="eb_r")
    wl = clog2(ws + 1) + 1
    bl = bit_length(m, s, wl, hint="zbl")
    # p = bl - 1 + eb - F; kk = p >> 1; y_in = S >> (bl - F - (p & 1)).
    wp = max(wl, web) + 2
    p = m.sub(m.sext(m.zext(bl, wl + 1), wp), m.const(1 + fz, wp), hint="zp")
    if eb is not None:
        p = m.add(p, m.sext(eb, wp), hint="zp")
    par = m.bit(p, 0)
    shift = m.sub(m.sub(m.zext(bl, ws), m.const(fz, ws)), m.zext(par, ws), hint="zshift")
    y_in = m.uresize(m.shru(s, shift), P.z_frac + 2, hint="y_in")
    kk = m.extract(p, 1, wp - 1, hint="kk")  # >= 0 whenever Q >= 1
    return y_in, kk, wp - 1


def _exact_sum(m: ModuleBuilder, out: Format, terms: list[tuple[Sig, Sig, int, int, int]]
               ) -> tuple[Sig, Sig, int, int, int]:
    """One value ``v 2^(e + offset)`` equal, for the output rounding, to the sum of the
    terms ``value * 2^(code + offset_k)`` (at most two): exact when their grids are
    close; far apart, the finer term only decides the rounding's direction past the
    half (a sticky of its sign), which stays exact after rounding to ``out``."""
    if len(terms) == 1:
        v, code, off, lo, hi = terms[0]
        return v, code, off, lo, hi
    (va, ca, oa, la, ha), (vb, cb, ob, lb, hb) = terms
    wt = max(va.width, vb.width)
    dcap = wt + out.element_bits + 3
    base = min(oa, ob)
    # Exponents relative to `base`: ea = ca + (oa - base) >= 0.
    lo_e = min(la + oa, lb + ob) - base
    hi_e = max(ha + oa, hb + ob) - base
    we = signed_bits(-dcap - 1, hi_e + 1)
    ea = m.add(m.zext(ca, we), m.const(oa - base, we), hint="ea")
    eb = m.add(m.zext(cb, we), m.const(ob - base, we), hint="eb")
    a_hi = m.cmp("sge", ea, eb, hint="a_hi")
    v_hi = m.mux(a_hi, m.sext(va, wt), m.sext(vb, wt), hint="v_hi")
    v_lo = m.mux(a_hi, m.sext(vb, wt), m.sext(va, wt), hint="v_lo")
    e_hi = m.mux(a_hi, ea, eb, hint="e_hi")
    e_lo = m.mux(a_hi, eb, ea, hint="e_lo")
    gap = m.sub(e_hi, e_lo, hint="gap")  # >= 0
    far = m.cmp("sgt", gap, m.const(dcap, we), hint="far")
    gc = m.mux(far, m.const(dcap, we), gap, hint="gapc")
    wv = wt + dcap + 1
    lo_neg = m.bit(v_lo, wt - 1)
    sticky = m.mux(lo_neg, m.const(-1, wv), m.zext(m.nez(v_lo), wv))
    lo_val = m.mux(far, sticky, m.sext(v_lo, wv), hint="lo_val")
    hi_nz = m.nez(v_hi, hint="hi_nz")
    joined = m.add(m.shl(m.sext(v_hi, wv), m.uresize(gc, wv)), lo_val, hint="joined")
    # A zero finer-grid partner needs no alignment: the coarse term alone (exact).
    v = m.mux(hi_nz, joined, m.sext(v_lo, wv), hint="v_sum")
    e = m.mux(hi_nz, m.sub(e_hi, gc), e_lo, hint="e_sum")
    return v, e, base, lo_e - dcap, hi_e


def _norm(centered: bool):
    def build(op: OpView, subs: SubModules) -> Unit:
        x = op.operands[0]
        extra = list(op.operands[1:])
        weight = extra.pop(0).fmt if (centered and _has(op, "weight")) or (
            not centered and extra) else None
        bias = extra.pop(0).fmt if centered and _has(op, "bias") else None
        n = x.shape[-1]
        spec = NormSpec(op.unit_name, centered, x.elements // n, n, x.fmt, op.result.fmt,
                        float(op.attributes["eps"]), weight, bias)
        return build_norm(spec, subs)
    return build


def _has(op: OpView, role: str) -> bool:
    """Whether the layer_norm has its ``weight`` / ``bias`` (operand segment sizes)."""
    sizes = op.attributes.get("operandSegmentSizes")
    if sizes is None:
        raise RtlError(f"{op.unit_name}: layer_norm without operand segment sizes")
    sizes = [int(s) for s in str(sizes).replace("array<i32:", "").strip(">] [").split(",")]
    return bool(sizes[1 if role == "weight" else 2])


def populate(registry: dict) -> None:
    registry["mxhw.layer_norm"] = _norm(True)
    registry["mxhw.rms_norm"] = _norm(False)
