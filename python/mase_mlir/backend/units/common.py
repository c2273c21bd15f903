"""Pieces every hardware unit uses: memories, stream registers, counters, bit length,
the bounded/exact accumulator and the element-serial block quantizer.

Each helper adds logic to a unit's :class:`~mase_mlir.backend.rtl.ModuleBuilder`.
The arithmetic is exactly :mod:`mase_mlir.numerics` (``accumulate``, ``encode_dyadic``
for MXInt formats); the unit tests simulate it against numerics bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ...numerics import Format
from ..layout import has_scale, word_bits
from ..rtl import ModuleBuilder, RtlError, Sig, clog2

__all__ = [
    "BlockLayout",
    "Memory",
    "QuantizerPorts",
    "SubModules",
    "accumulate_term",
    "bit_length",
    "block_quantizer",
    "counter",
    "half_address",
    "quantize_value",
    "ram",
    "signed_bits",
]


def signed_bits(lo: int, hi: int) -> int:
    """Bits of a two's-complement number holding every integer of [lo, hi]."""
    bits = 1
    while not (-(1 << (bits - 1)) <= lo and hi <= (1 << (bits - 1)) - 1):
        bits += 1
    return bits


@dataclass(frozen=True)
class BlockLayout:
    """One MX block on a wire or in a memory word: ``B`` element codes (element ``i`` at
    bits ``[i*M, (i+1)*M)``), then the scale code (absent for ``E = 1``: fixed point)."""

    fmt: Format

    @property
    def has_scale(self) -> bool:
        return has_scale(self.fmt)

    @property
    def bits(self) -> int:
        """The word's width: the memory layout's (``backend.layout``), one definition."""
        return word_bits(self.fmt)

    def element(self, m: ModuleBuilder, word: Sig, i: int) -> Sig:
        w = self.fmt.element_bits
        return m.extract(word, i * w, w, hint=f"el{i}")

    def scale_exponent(self, m: ModuleBuilder, word: Sig, width: int) -> Sig:
        """The block's scale exponent ``s = code - bias`` as a signed ``width``-bit value."""
        f = self.fmt
        if not self.has_scale:
            return m.const(-f.scale_bias, width)
        code = m.extract(word, f.block_size * f.element_bits, f.scale_bits, hint="scode")
        return m.sub(m.zext(code, width), m.const(f.scale_bias, width), hint="sexp")


@dataclass(frozen=True)
class Memory:
    """An on-chip memory of a unit (counted as memory bits, not logic cells)."""

    name: str
    depth: int
    width: int

    @property
    def bits(self) -> int:
        return self.depth * self.width


@dataclass
class SubModules:
    """Modules shared by the units of one design (RAMs of one shape are one module)."""

    texts: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, text: str) -> str:
        self.texts.setdefault(name, text)
        return name


RAM_PREFIX = "mase_ram_"


def ram(m: ModuleBuilder, subs: SubModules, mems: list[Memory], name: str, depth: int,
        width: int, *, we: Sig, waddr: Sig, wdata: Sig, raddr: Sig) -> Sig:
    """A simple dual-port RAM (one write, one read port, read data one cycle after the
    address). Returns the read data. The RAM module is a memory macro for area figures."""
    if depth < 1:
        raise RtlError(f"RAM {name}: depth must be >= 1")
    aw = clog2(depth)
    module = f"{RAM_PREFIX}{depth}x{width}"
    header = (f"hw.module @{module}(in %we : i1, in %waddr : i{aw}, in %wdata : i{width}, "
              f"in %raddr : i{aw}, in %clock : !seq.clock, in %reset : i1, "
              f"out rdata : i{width}) {{")
    if depth == 1:
        # seq.hlmem addresses one word with an i0; a register is that memory: the
        # read (of the word before this cycle's write, as hlmem's lowering reads)
        # registered. The address ports stay (i1, unused) so callers need no case.
        body = [f"    %word = seq.compreg.ce %wdata, %clock, %we : i{width}",
                f"    %rdata = seq.compreg %word, %clock : i{width}"]
    else:
        body = ["    %true = hw.constant true",
                f"    %mem = seq.hlmem @mem %clock, %reset : <{depth}xi{width}>",
                f"    %rdata = seq.read %mem[%raddr] rden %true {{latency = 1}} : "
                f"!seq.hlmem<{depth}xi{width}>",
                f"    seq.write %mem[%waddr] %wdata wren %we {{latency = 1}} : "
                f"!seq.hlmem<{depth}xi{width}>"]
    if module not in subs.texts:
        subs.add(module, "\n".join([header, *body, f"    hw.output %rdata : i{width}", "}"]))
    mems.append(Memory(name, depth, width))
    outs = m.instance(module, name, [("we", we), ("waddr", m.uresize(waddr, aw)),
                                     ("wdata", wdata), ("raddr", m.uresize(raddr, aw))],
                      [("rdata", width)])
    return outs["rdata"]


def half_address(m: ModuleBuilder, half: Sig, index: Sig, size: int, hint: str) -> Sig:
    """The address of ``index`` in half ``half`` of a two-part memory of ``2 * size``
    words: ``half * size + index`` (a concatenation when ``size`` is a power of two)."""
    aw = clog2(2 * size)
    if size == 1:
        return m.uresize(half, aw, hint=hint)
    if size & (size - 1) == 0:
        return m.concat(half, m.uresize(index, aw - 1), hint=hint)
    base = m.mux(half, m.const(size, aw), m.const(0, aw))
    return m.add(base, m.uresize(index, aw), hint=hint)


def counter(m: ModuleBuilder, modulus: int, step: Sig, hint: str) -> tuple[Sig, Sig]:
    """A counter 0..modulus-1 that advances when ``step``; returns ``(value, wraps)``
    where ``wraps`` is true when it is at its last value (and would wrap on ``step``)."""
    width = clog2(modulus)
    value, nxt = m.state(width, reset=0, hint=hint)
    last = m.eqc(value, modulus - 1, hint=hint + "_last") if modulus > 1 else m.const(1, 1)
    inc = m.add(value, m.const(1, width), hint=hint + "_inc")
    advanced = m.mux(last, m.const(0, width), inc, hint=hint + "_adv")
    m.assign(nxt, m.mux(step, advanced, value, hint=hint + "_n"))
    return value, last


def bit_length(m: ModuleBuilder, mag: Sig, width: int, hint: str = "blen") -> Sig:
    """Number of significant bits of the unsigned ``mag`` (0 for 0), as ``width`` bits.

    A leading-zero count tree: each level merges two halves' (all-zero, count) pairs,
    muxing only the count bits, so the cost grows like ``n log n`` single-bit gates.
    """
    size = 1 << clog2(mag.width) if mag.width > 1 else 1
    bits = [m.bit(mag, i) for i in range(mag.width)] + [m.const(0, 1)] * (size - mag.width)
    # Leaves, most significant first: (all zero, leading zeros) with an empty count.
    nodes: list[tuple[Sig, Sig | None]] = [(m.not_(b), None) for b in reversed(bits)]
    while len(nodes) > 1:
        merged = []
        for (zh, ch), (zl, cl) in zip(nodes[0::2], nodes[1::2], strict=True):
            zero = m.and_(zh, zl, hint=hint + "_z")
            if ch is None:
                count = zh  # one-bit halves: the count is "the high bit is zero"
            else:
                count = m.concat(zh, m.mux(zh, cl, ch, hint=hint + "_c"), hint=hint + "_cnt")
            merged.append((zero, count))
        nodes = merged
    zero, lz = nodes[0]
    if lz is None:  # a one-bit input
        return m.zext(m.not_(zero), width, hint=hint)
    length = m.sub(m.const(size, width), m.zext(lz, width), hint=hint + "_len")
    return m.mux(zero, m.const(0, width), length, hint=hint)


def accumulate_term(m: ModuleBuilder, *, a: Sig, e: Sig, empty: Sig, p: Sig, t: Sig,
                    restart: Sig, guard_bits: int, hint: str = "acc") -> tuple[Sig, Sig, Sig]:
    """One step of ``bounded<G>`` accumulation (``numerics.accumulate``), combinational.

    State ``(a, e, empty)`` (``a`` signed, ``e`` signed exponent), term ``p * 2^t``;
    ``restart`` starts a new sum with this term. Returns the next ``(a, e, empty)``.
    One arithmetic shifter serves both cases: the accumulator moves right under a
    larger term, otherwise the term moves right.
    """
    wa, we = a.width, e.width
    emp = m.or_(restart, empty, hint=hint + "_emp")
    nz = m.nez(p, hint=hint + "_pnz")
    pg = m.shl(m.sext(p, wa), m.const(guard_bits, wa), hint=hint + "_pg")
    big_t = m.sub(m.sresize(t, we), m.const(guard_bits, we), hint=hint + "_T")
    wd = we + 1
    d = m.sub(m.sext(big_t, wd), m.sext(e, wd), hint=hint + "_d")
    up = m.cmp("sgt", d, m.const(0, wd), hint=hint + "_up")
    amount = m.mux(up, d, m.neg(d), hint=hint + "_amt")
    # Shifts by the width or more leave only sign bits: clamp so the shifter stays small.
    cap = m.const(wa - 1, wd)
    amount = m.mux(m.cmp("ugt", amount, cap), cap, amount, hint=hint + "_cap")
    src = m.mux(up, a, pg, hint=hint + "_src")
    other = m.mux(up, pg, a, hint=hint + "_oth")
    shifted = m.shrs(src, m.uresize(amount, wa), hint=hint + "_sh")
    total = m.add(shifted, other, hint=hint + "_sum")
    a_live = m.mux(nz, total, a, hint=hint + "_alive")
    e_live = m.mux(m.and_(nz, up), big_t, e, hint=hint + "_elive")
    a_next = m.mux(emp, m.mux(nz, pg, m.const(0, wa)), a_live, hint=hint + "_an")
    e_next = m.mux(emp, big_t, e_live, hint=hint + "_en")
    empty_next = m.and_(emp, m.not_(nz), hint=hint + "_emn")
    return a_next, e_next, empty_next


def quantize_value(m: ModuleBuilder, v: Sig, e: Sig, s: Sig, out: Format, *,
                   msb: Sig | None = None, e_const: int | None = None,
                   rounding: str = "even", hint: str = "q") -> Sig:
    """The element code of ``v * 2^e`` (``v`` signed) in an MXInt block of scale ``s``:
    ``numerics.encode_dyadic`` for one element (round half to even, or half away from
    zero with ``rounding="nearest"``; saturate).

    Saturation needs to know whether ``|v| * 2^e >= 2^(s+1)``: from ``msb`` (the value's
    ``floor(log2)``, when the caller has it), from a constant compare when ``e`` and
    ``s`` are constants (``e_const``; fixed point), or from a leading-zero count.
    """
    if not out.is_int:
        raise RtlError(f"the hardware quantizer produces MXInt formats only, not {out}")
    mw = out.element_bits
    wv = v.width
    neg = m.bit(v, wv - 1, hint=hint + "_neg")
    mag = m.mux(neg, m.neg(v), v, hint=hint + "_mag")  # unsigned wv bits
    nz = m.nez(v, hint=hint + "_nz")
    we = max(e.width, s.width, clog2(wv + mw + 2) + 1) + 2
    e_w = m.sresize(e, we)
    s_w = m.sresize(s, we)
    if e_const is not None and out.scale_min == out.scale_max:
        limit = out.scale_min + 1 - e_const  # huge <=> |v| >= 2^limit
        if limit <= 0:
            huge = nz
        elif limit >= wv:
            huge = m.const(0, 1)
        else:
            huge = m.cmp("uge", mag, m.const(1 << limit, wv), hint=hint + "_huge")
    else:
        if msb is None:
            blen = bit_length(m, mag, we, hint=hint + "_bl")
            msb = m.sub(m.add(e_w, blen), m.const(1, we), hint=hint + "_msb")
        huge = m.and_(nz, m.cmp("sgt", m.sresize(msb, we), s_w), hint=hint + "_huge")
    r = m.sub(m.sub(s_w, m.const(mw - 2, we)), e_w, hint=hint + "_r")  # right shift amount
    wl = wv + mw  # room for the exact left shift (at most M-1 bits when not huge)
    left_amt = m.mux(m.cmp("sgt", r, m.const(-mw, we)), m.neg(r), m.const(mw, we))
    left = m.shl(m.zext(mag, wl), m.uresize(left_amt, wl), hint=hint + "_left")
    ra = m.smin(m.smax(r, m.const(1, we)), m.const(wv + 1, we), hint=hint + "_ra")
    wr = wv + 2
    mag_r = m.zext(mag, wr)
    ra_w = m.uresize(ra, wr)
    one = m.const(1, wr)
    q0 = m.shru(mag_r, ra_w, hint=hint + "_q0")
    am1 = m.sub(ra_w, one)
    half = m.nez(m.and_(m.shru(mag_r, am1), one), hint=hint + "_half")
    sticky = m.nez(m.and_(mag_r, m.sub(m.shl(one, am1), one)), hint=hint + "_sticky")
    odd = m.nez(m.and_(q0, one), hint=hint + "_odd")
    up = half if rounding == "nearest" else m.and_(half, m.or_(sticky, odd), hint=hint + "_up")
    right = m.add(q0, m.zext(up, wr), hint=hint + "_right")
    wq = max(wl, wr)
    q = m.mux(m.cmp("sle", r, m.const(0, we)), m.uresize(left, wq), m.uresize(right, wq),
              hint=hint + "_qm")
    qmax = (1 << (mw - 1)) - 1
    sat = m.or_(huge, m.cmp("ugt", q, m.const(qmax, wq)), hint=hint + "_sat")
    q = m.mux(sat, m.const(qmax, wq), q, hint=hint + "_qs")
    code = m.uresize(q, mw)
    return m.mux(neg, m.neg(code), code, hint=hint + "_code")


def normalize(m: ModuleBuilder, mag: Sig, hint: str = "norm") -> tuple[Sig, Sig]:
    """Left-justify the unsigned ``mag``: returns ``(mag << lz, lz)`` with ``lz`` its
    leading zeros (all of them for 0), by halving steps (16, 8, 4, 2, 1 ...)."""
    w = mag.width
    cw = clog2(w + 1)
    lz = m.const(0, cw)
    v = mag
    step = 1 << (clog2(w) - 1) if w > 1 else 0
    while step >= 1:
        if step < w:
            top_zero = m.eqc(m.extract(v, w - step, step), 0, hint=hint + "_tz")
            v = m.mux(top_zero, m.shl(v, m.const(step, w)), v, hint=hint + "_v")
            lz = m.mux(top_zero, m.add(lz, m.const(step, cw)), lz, hint=hint + "_lz")
        step //= 2
    last_zero = m.eqc(m.bit(v, w - 1), 0, hint=hint + "_last")
    return v, m.add(lz, m.zext(last_zero, cw), hint=hint + "_count")


def shift_right_sticky(m: ModuleBuilder, x: Sig, amount: Sig, hint: str = "srs"
                       ) -> tuple[Sig, Sig]:
    """``x >> amount`` (unsigned) and whether any 1 bit was shifted out, by a
    logarithmic shifter whose stages also OR the bits they drop."""
    w = x.width
    sticky = m.const(0, 1)
    for j in range(amount.width):
        step = 1 << j
        take = m.bit(amount, j, hint=hint + "_b")
        if step >= w:
            lost = m.nez(x)
            x_next = m.const(0, w)
        else:
            lost = m.nez(m.extract(x, 0, step))
            x_next = m.zext(m.extract(x, step, w - step), w)
        sticky = m.or_(sticky, m.and_(take, lost), hint=hint + "_st")
        x = m.mux(take, x_next, x, hint=hint + "_x")
    return x, sticky


def round_normalized(m: ModuleBuilder, *, neg: Sig, top: Sig, sticky: Sig, msb: Sig, s: Sig,
                     out: Format, rounding: str = "even", hint: str = "rn") -> Sig:
    """The MXInt code of the value ``(-1)^neg * (top + sticky) * 2^(msb - M + 1)`` in a
    block of scale ``s``: round half to even (or half away from zero: ``"nearest"``)
    onto the grid ``2^(s-M+2)``, saturate.

    ``top`` holds the value's M most significant bits (its leading one at bit M-1, or
    0); ``sticky`` whether any bit below them is set. For ``d = s - msb >= 0`` the code
    magnitude is ``top >> (d+1)`` rounded: shifting by ``d`` leaves the half bit last.
    """
    mw = out.element_bits
    tw = top.width  # M
    ws = max(msb.width, s.width) + 1
    d = m.sub(m.sresize(s, ws), m.sresize(msb, ws), hint=hint + "_d")  # s - msb
    huge = m.and_(m.nez(top), m.bit(d, ws - 1), hint=hint + "_huge")  # d < 0: saturate
    kw = clog2(tw + 1)
    limit = (1 << kw) - 1  # >= M: every bit shifted out
    high = m.nez(m.extract(d, kw, ws - kw)) if ws > kw else m.const(0, 1)
    k = m.mux(high, m.const(limit, kw), m.extract(d, 0, kw), hint=hint + "_k")
    y, lost = shift_right_sticky(m, top, k, hint=hint + "_sh")
    half = m.bit(y, 0, hint=hint + "_half")
    q0 = m.zext(m.extract(y, 1, tw - 1), tw) if tw > 1 else m.const(0, tw)
    odd = m.bit(y, 1) if tw > 1 else m.const(0, 1)
    up = half if rounding == "nearest" else \
        m.and_(half, m.or_(m.or_(lost, sticky), odd), hint=hint + "_up")
    q = m.add(q0, m.zext(up, tw), hint=hint + "_q")
    qmax = (1 << (mw - 1)) - 1
    sat = m.or_(huge, m.cmp("ugt", q, m.const(qmax, tw)), hint=hint + "_sat")
    code = m.uresize(m.mux(sat, m.const(qmax, tw), q), mw)
    return m.mux(neg, m.neg(code), code, hint=hint + "_code")


@dataclass
class QuantizerPorts:
    """The output side of a block quantizer."""

    word: Sig  # the output block (BlockLayout of the output format)
    valid: Sig
    release: Sig  # one-cycle pulse: one of the CREDITS block slots became free
    CREDITS: int = 2


def block_quantizer(m: ModuleBuilder, subs: SubModules, mems: list[Memory], *, valid: Sig,
                    v: Sig, e: Sig, out: Format, ready: Sig, e_const: int | None = None,
                    e_range: tuple[int, int] | None = None, e_offset: int = 0,
                    rounding: str = "even", name: str = "oq") -> QuantizerPorts:
    """Rounds a stream of values ``v * 2^e`` (at most one per cycle, never stalled) into
    blocks of ``out`` and presents them as an output stream (``ready`` from the consumer).

    The producer may start a block only while it holds one of ``CREDITS`` credits
    (acquired at the block's first value, returned by ``release``), so values never
    have to wait. MX output (an E-bit scale): values are staged in a two-block RAM while
    the block's largest exponent is found, then read back one per cycle, rounded
    (:func:`quantize_value`) and packed. Fixed point (``E = 1``, a constant scale):
    values are rounded as they arrive. ``e_const``: ``e`` is this constant (the
    rounding then needs no leading-zero count); ``e_range``: the values ``e`` can take
    (narrower exponent logic), else whatever its width holds; ``e_offset``: the
    exponent is ``e + e_offset`` (a constant the producer need not add); ``rounding``:
    ``"even"`` (round half to even) or ``"nearest"`` (half away from zero).
    """
    layout = BlockLayout(out)
    b, mw = out.block_size, out.element_bits
    ws = signed_bits(out.scale_min - 1, out.scale_max + 1)
    out_valid, out_valid_n = m.state(1, reset=0, hint=f"{name}_ovalid")
    out_word, out_word_n = m.state(layout.bits, reset=None, hint=f"{name}_oword")
    take = m.and_(out_valid, ready, hint=f"{name}_take")
    pack_w = b * mw

    def shift_in(pack: Sig, code: Sig) -> Sig:
        if b == 1:
            return code
        return m.concat(code, m.extract(pack, mw, pack_w - mw), hint=f"{name}_shift")

    if not layout.has_scale:
        s_const = m.const(out.scale_min, ws)
        if e_offset:
            wo = max(e.width, signed_bits(e_offset, e_offset)) + 1
            e = m.add(m.sext(e, wo), m.const(e_offset, wo))
        code = quantize_value(m, v, e, s_const, out,
                              e_const=None if e_const is None else e_const + e_offset,
                              rounding=rounding, hint=f"{name}_fx")
        _, last = counter(m, b, valid, hint=f"{name}_idx")
        pack, pack_n = m.state(pack_w, reset=None, hint=f"{name}_pack")
        full, full_n = m.state(1, reset=0, hint=f"{name}_full")
        landed = m.mux(valid, shift_in(pack, code), pack)
        m.assign(pack_n, landed)
        out_free = m.or_(m.not_(out_valid), take)
        transfer = m.and_(full, out_free, hint=f"{name}_xfer")
        m.assign(full_n, m.or_(m.and_(valid, last), m.and_(full, m.not_(transfer))))
        m.assign(out_word_n, m.mux(transfer, pack, out_word))
        m.assign(out_valid_n, m.or_(transfer, m.and_(out_valid, m.not_(take))))
        return QuantizerPorts(out_word, out_valid, take)

    # --- MX output: stage, find the scale, read back and round --------------------------
    # Each value is staged normalized: its sign, its top M significant bits T, a
    # sticky bit for the rest and its floor(log2) (msb). Once the block's scale s is
    # known, rounding is a short shift of T (round_normalized): T holds every bit
    # down to the half bit of the output grid (msb <= s), the sticky bit the rest.
    wv, we = v.width, e.width
    neg = m.bit(v, wv - 1)
    mag = m.mux(neg, m.neg(v), v, hint=f"{name}_mag")
    # Exponents in the output's scale-code space (exponent + bias): the block's scale
    # code is then the clamped maximum itself.
    e_lo, e_hi = e_range if e_range is not None else (-(1 << (we - 1)), (1 << (we - 1)) - 1)
    shift_c = e_offset + wv - 1 + out.scale_bias  # msb code = e + shift_c - lz
    code_max = (1 << out.scale_bits) - 2
    wm = signed_bits(min(0, e_lo + shift_c - wv) - 1, max(code_max, e_hi + shift_c) + 1)
    norm, lz = normalize(m, mag, hint=f"{name}_norm")
    nz = m.bit(norm, wv - 1, hint=f"{name}_nz")  # normalized: the top bit is set unless 0
    wk = signed_bits(min(0, shift_c - wv) - 1, max(0, shift_c) + 1)
    k_c = m.sub(m.const(shift_c, wk), m.zext(lz, wk), hint=f"{name}_kc")
    msb = m.add(m.sresize(e, wm), m.sresize(k_c, wm), hint=f"{name}_msb")
    top_bits = mw
    if wv >= top_bits:
        t_top = m.extract(norm, wv - top_bits, top_bits, hint=f"{name}_T")
        low = wv - top_bits
        sticky0 = m.nez(m.extract(norm, 0, low)) if low > 0 else m.const(0, 1)
    else:
        t_top = m.concat(norm, m.const(0, top_bits - wv), hint=f"{name}_T")
        sticky0 = m.const(0, 1)
    idx_w, last_w = counter(m, b, valid, hint=f"{name}_iw")
    half_w, half_w_n = m.state(1, reset=0, hint=f"{name}_hw")
    m.assign(half_w_n, m.xor(half_w, m.and_(valid, last_w)))
    first_w = m.eqc(idx_w, 0) if b > 1 else m.const(1, 1)
    run_max, run_max_n = m.state(wm, reset=None, hint=f"{name}_max")
    run_nz, run_nz_n = m.state(1, reset=0, hint=f"{name}_anynz")
    cur_nz = m.and_(run_nz, m.not_(first_w))
    bigger = m.or_(m.not_(cur_nz), m.cmp("sgt", msb, run_max))
    new_max = m.mux(m.and_(nz, bigger), msb, run_max, hint=f"{name}_newmax")
    new_nz = m.or_(cur_nz, nz)
    m.assign(run_max_n, m.mux(valid, new_max, run_max))
    m.assign(run_nz_n, m.mux(valid, new_nz, run_nz))
    below = m.bit(new_max, wm - 1)  # a negative code: the smallest scale
    above = m.cmp("sgt", new_max, m.const(code_max, wm))
    clamped = m.mux(below, m.const(0, wm), m.mux(above, m.const(code_max, wm), new_max))
    block_s = m.mux(new_nz, clamped, m.const(0, wm), hint=f"{name}_bs")
    closing = m.and_(valid, last_w, hint=f"{name}_close")
    scales, fulls = [], []
    release_w = m.wire(1, f"{name}_rel")
    half_r, half_r_n = m.state(1, reset=0, hint=f"{name}_hr")
    for h in range(2):
        mine = m.and_(closing, m.eqc(half_w, h))
        s_h, s_h_n = m.state(wm, reset=None, hint=f"{name}_s{h}")
        m.assign(s_h_n, m.mux(mine, block_s, s_h))
        f_h, f_h_n = m.state(1, reset=0, hint=f"{name}_f{h}")
        freed = m.and_(release_w, m.eqc(half_r, h))
        m.assign(f_h_n, m.or_(mine, m.and_(f_h, m.not_(freed))))
        scales.append(s_h)
        fulls.append(f_h)
    data = m.concat(msb, sticky0, t_top, neg, hint=f"{name}_stage")
    waddr = half_address(m, half_w, idx_w, b, f"{name}_wa")
    # Read back: one element per cycle; the last read of a block waits until the
    # output register will be free when it lands.
    active_full = m.mux(half_r, fulls[1], fulls[0], hint=f"{name}_rfull")
    idx_r, idx_r_n = m.state(clog2(b), reset=0, hint=f"{name}_ir")
    last_r = m.eqc(idx_r, b - 1) if b > 1 else m.const(1, 1)
    # (With one-element blocks a block may still be landing: the register is then
    # not known to be free next cycle; for B > 1 last reads are B cycles apart.)
    landing = m.wire(1, f"{name}_landing")
    out_empty_next = m.and_(m.or_(m.not_(out_valid), take), m.not_(landing))
    issue = m.and_(active_full, m.or_(m.not_(last_r), out_empty_next), hint=f"{name}_rd")
    m.assign(idx_r_n, m.mux(issue, m.mux(last_r, m.const(0, idx_r.width),
                                           m.add(idx_r, m.const(1, idx_r.width))), idx_r))
    done_half = m.and_(issue, last_r, hint=f"{name}_done")
    m.assign(release_w, done_half)
    m.assign(half_r_n, m.xor(half_r, done_half))
    raddr = half_address(m, half_r, idx_r, b, f"{name}_ra")
    rdata = ram(m, subs, mems, f"{name}_stage", 2 * b, data.width, we=valid, waddr=waddr,
                wdata=data, raddr=raddr)
    land = m.reg(issue, reset=0, hint=f"{name}_land")
    land_last = m.reg(done_half, reset=0, hint=f"{name}_llast")
    m.assign(landing, land_last if b == 1 else m.const(0, 1))
    land_s = m.reg(m.mux(half_r, scales[1], scales[0]), hint=f"{name}_ls")
    code = round_normalized(m, neg=m.bit(rdata, 0), top=m.extract(rdata, 1, top_bits),
                            sticky=m.bit(rdata, 1 + top_bits),
                            msb=m.extract(rdata, 2 + top_bits, wm), s=land_s, out=out,
                            rounding=rounding, hint=f"{name}_q")
    pack, pack_n = m.state(pack_w, reset=None, hint=f"{name}_pack")
    shifted = shift_in(pack, code)
    m.assign(pack_n, m.mux(land, shifted, pack))
    scode = m.uresize(land_s, out.scale_bits)
    finished = m.and_(land, land_last, hint=f"{name}_fin")
    m.assign(out_word_n, m.mux(finished, m.concat(scode, shifted), out_word))
    m.assign(out_valid_n, m.or_(finished, m.and_(out_valid, m.not_(take))))
    return QuantizerPorts(out_word, out_valid, release_w)
