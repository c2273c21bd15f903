"""The element function of the activation units (gelu, silu, tanh, sigmoid): exactly
``numerics.elementwise.activation`` for one element, in two pipeline stages.

*Align* (:func:`align`): ``x = code * 2^t`` becomes ``u = |x| * 2^frac`` rounded half
up (a left shift, or a right shift by ``n`` as ``((|code| >> (n - 1)) + 1) >> 1``);
``u >= 2^(r + frac)`` is beyond the table's range (the exact asymptote).
*Evaluate* (:func:`evaluate`): inside the range, ``u``'s top bits address one ROM of
``(g[i], g[i + 1] - g[i])`` (``numerics.fixedpoint.activation_table``: a constant
array), its low bits interpolate (one multiply, a rounding shift), and the function's
symmetry gives the value for ``x < 0``. The value ``v * 2^e`` goes to the block
quantizer. The elementwise unit registers the aligned element between the two.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...numerics import fixedpoint as fp
from ..rtl import ModuleBuilder, Sig, clog2
from .common import signed_bits
from .view import rom

__all__ = ["Aligned", "align", "evaluate"]


@dataclass
class Aligned:
    """One element after :func:`align`: its sign, beyond the range, ``u`` inside the range
    (``r + frac`` bits) and, for the linear functions (``x`` itself beyond the range), the
    element's code and exponent."""

    neg: Sig
    big: Sig
    u: Sig
    code: Sig | None
    t: Sig | None

    def signals(self) -> list[Sig]:
        return [s for s in (self.neg, self.big, self.u, self.code, self.t) if s is not None]

    def with_signals(self, sigs: list[Sig]) -> Aligned:
        """The same element on other signals (its registered copy), in :meth:`signals`' order."""
        it = iter(sigs)
        return Aligned(next(it), next(it), next(it), *(next(it) if s is not None else None
                                                       for s in (self.code, self.t)))


def align(m: ModuleBuilder, name: str, code: Sig, t: Sig, t_range: tuple[int, int],
          t_const: int | None = None) -> Aligned:
    """``u = |code * 2^t| * 2^frac`` rounded half up, and whether it is beyond the range
    (``t_const``: ``t`` is this constant)."""
    act = fp.activation(name)
    frac, r = act.frac, act.range_log2
    mw = code.width
    neg = m.bit(code, mw - 1, hint="x_neg")
    mag = m.mux(neg, m.neg(code), code, hint="x_mag")  # |code| <= 2^(mw-1): unsigned
    # k = t + frac: left shift by min(k, r + frac + 1), right shift by min(-k, mw + 1)
    # (further right every input rounds to 0).
    k_lo, k_hi = t_range[0] + frac, t_range[1] + frac
    left_max, right_max = max(0, min(k_hi, r + frac + 1)), max(0, min(-k_lo, mw + 1))
    wk = signed_bits(min(t_range[0], k_lo, 0), max(t_range[1], k_hi, -k_lo, left_max, 0))
    k = m.add(m.sresize(t, wk), m.const(frac, wk), hint="k")
    k_neg = m.bit(k, wk - 1, hint="k_neg")
    lim_bits = r + frac  # u < 2^lim_bits inside the range
    wu = max(mw + left_max, lim_bits + 1)
    if left_max > 0:
        sw = clog2(left_max + 1)
        over = m.cmp("sgt", k, m.const(left_max, wk), hint="k_over")
        amount = m.mux(over, m.const(left_max, sw), m.uresize(k, sw), hint="left")
        up = m.shl(m.zext(mag, wu), m.zext(amount, wu), hint="u_left")
    else:
        up = m.zext(mag, wu)
    if right_max > 0:
        sw = clog2(right_max + 1)
        nk = m.neg(k, hint="minus_k")
        over = m.cmp("sgt", nk, m.const(right_max, wk), hint="k_under")
        amount = m.mux(over, m.const(right_max, sw), m.uresize(nk, sw), hint="right")
        # (mag + 2^(n-1)) >> n == ((mag >> (n-1)) + 1) >> 1 for n >= 1.
        wide = m.zext(mag, mw + 1)
        s1 = m.shru(wide, m.zext(m.sub(amount, m.const(1, sw)), mw + 1), hint="u_s1")
        down = m.shru(m.add(s1, m.const(1, mw + 1)), m.const(1, mw + 1), hint="u_right")
        u = m.mux(k_neg, m.uresize(down, wu), up, hint="u")
    else:
        u = up
    big = m.cmp("uge", u, m.const(1 << lim_bits, wu), hint="big")
    linear = act.kind == "linear"
    return Aligned(neg, big, m.extract(u, 0, lim_bits, hint="u_in"),
                   code if linear else None, t if linear and t_const is None else None)


def evaluate(m: ModuleBuilder, name: str, x: Aligned, t_range: tuple[int, int],
             t_const: int | None = None) -> tuple[Sig, Sig, tuple[int, int], int | None]:
    """``(v, e, e_range, e_const)``: the activation ``name`` of the aligned element as the
    exact value ``v * 2^e`` of ``numerics.elementwise.activation``."""
    act = fp.activation(name)
    frac, r, lut = act.frac, act.range_log2, act.lut_bits
    table = [int(v) for v in fp.activation_table(name, frac, lut, r)]
    lim_bits = r + frac
    u = x.u
    seg = lim_bits - lut  # input bits per table segment
    if seg >= 0:
        idx = m.extract(u, seg, lut, hint="idx")
        rem = m.extract(u, 0, seg, hint="rem") if seg > 0 else None
    else:  # more table points than input codes: exact points
        idx = m.concat(u, m.const(0, -seg), hint="idx")
        rem = None
    # One ROM word per segment: (g[i], g[i + 1] - g[i]).
    deltas = [b - a for a, b in zip(table, table[1:], strict=False)]
    tw, dw = signed_bits(min(table), max(table)), signed_bits(min(deltas), max(deltas))
    words = [((g & ((1 << tw) - 1)) << dw) | (d & ((1 << dw) - 1))
             for g, d in zip(table, deltas, strict=False)]
    word = rom(m, words, tw + dw, idx, hint="g_rom")
    gw = signed_bits(min(min(table), 0) - 1, max(table) + 1)
    lo_v = m.sext(m.extract(word, dw, tw, hint="g_lo"), gw)
    if rem is not None:  # g[i] + rshift_round(d[i] * rem, seg): between g[i] and g[i+1]
        pw = dw + seg + 1
        d = m.extract(word, 0, dw, hint="g_d")
        prod = m.mul(m.sext(d, pw), m.zext(rem, pw), hint="g_dr")
        rounded = m.shrs(m.add(prod, m.const(1 << (seg - 1), pw)), m.const(seg, pw),
                         hint="g_step")
        g = m.add(lo_v, m.sresize(rounded, gw), hint="g")
    else:
        g = lo_v
    one = 1 << frac
    neg = x.neg
    vw = max(gw, lim_bits + 1, 0 if x.code is None else x.code.width) + 2
    g_v = m.sext(g, vw)
    zero = m.const(0, vw)
    if act.kind == "linear":  # f(x) = x + g(x) (x >= 0), g(-x) (x < 0); far: x or 0
        inside = m.mux(neg, g_v, m.add(m.zext(u, vw), g_v), hint="y")
        far = m.mux(neg, zero, m.sext(x.code, vw), hint="far")
    elif act.kind == "odd":  # f(x) = +-g(|x|); far: +-1
        inside = m.mux(neg, m.neg(g_v), g_v, hint="y")
        far = m.mux(neg, m.const(-one, vw), m.const(one, vw), hint="far")
    else:  # f(x) = g(x) (x >= 0), 1 - g(-x); far: 1 or 0
        inside = m.mux(neg, m.sub(m.const(one, vw), g_v), g_v, hint="y")
        far = m.mux(neg, zero, m.const(one, vw), hint="far")
    v = m.mux(x.big, far, inside, hint="act")
    if act.kind != "linear":
        return v, m.const(-frac, signed_bits(-frac, -frac)), (-frac, -frac), -frac
    # Only the linear functions' x beyond the range keeps its own exponent.
    e_lo, e_hi = min(t_range[0], -frac), max(t_range[1], -frac)
    we = signed_bits(e_lo, e_hi)
    keep = m.and_(x.big, m.not_(neg), hint="keep_x")
    t = m.const(t_const, we) if x.t is None else m.sresize(x.t, we)
    e = m.mux(keep, t, m.const(-frac, we), hint="e_act")
    return v, e, (e_lo, e_hi), None
