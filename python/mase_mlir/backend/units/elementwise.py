"""Element-serial units: one element per cycle through a function, re-quantized into
the result's blocks.

The unit holds the current input block, walks its elements, applies the function to
``(code, exponent)`` and feeds the exact result ``v * 2^e`` to the block quantizer
(``numerics``' rounding, bit for bit). Input and output block sizes may differ (both
along the last axis, in the same element order).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ...numerics import Format
from ..rtl import ModuleBuilder, RtlError, Sig
from .base import OpView, StreamPort, Unit
from .common import BlockLayout, Memory, SubModules, block_quantizer, counter, signed_bits

__all__ = ["UnarySpec", "build_unary", "populate"]

#: f(m, code (signed, M bits), width) -> value (signed, ``width`` bits); the
#: exponent is the input element's (its block scale plus the element LSB).
ElementFn = Callable[[ModuleBuilder, Sig, int], Sig]


def _relu(m: ModuleBuilder, code: Sig, width: int) -> Sig:
    neg = m.bit(code, code.width - 1)
    return m.mux(neg, m.const(0, width), m.sext(code, width), hint="relu")


#: The element functions that are exact on the element grid (no new bits).
FUNCTIONS: dict[str, ElementFn] = {"relu": _relu}


@dataclass(frozen=True)
class UnarySpec:
    name: str
    fn: str
    elements: int  # elements of the tensor
    x: Format
    out: Format


def build_unary(spec: UnarySpec, subs: SubModules) -> Unit:
    if spec.fn not in FUNCTIONS:
        raise RtlError(f"{spec.name}: no element-serial unit for {spec.fn!r}")
    for role, fmt in (("input", spec.x), ("output", spec.out)):
        if not fmt.is_int:
            raise RtlError(f"{spec.name}: the hardware implements MXInt formats only; "
                           f"the {role} is {fmt}")
    m = ModuleBuilder(spec.name)
    mems: list[Memory] = []
    lx, lo = BlockLayout(spec.x), BlockLayout(spec.out)
    bx, bo = spec.x.block_size, spec.out.block_size
    mx_bits = spec.x.element_bits

    x_data, x_valid, x_ready = m.in_channel("x", lx.bits)
    # The block being walked, and whether it is still busy.
    held, held_n = m.state(lx.bits, reset=None, hint="held")
    busy, busy_n = m.state(1, reset=0, hint="busy")
    step = m.wire(1, "step")
    idx, idx_last = counter(m, bx, step, hint="idx")
    freeing = m.and_(step, idx_last, hint="freeing")
    can_take = m.or_(m.not_(busy), freeing, hint="can_take")
    m.assign(x_ready, can_take)
    take = m.and_(x_valid, can_take, hint="take")
    m.assign(held_n, m.mux(take, x_data, held))
    m.assign(busy_n, m.or_(take, m.and_(busy, m.not_(freeing))))

    # Credits for the quantizer: one per output block, taken at its first element.
    credits, credits_n = m.state(2, reset=2, hint="credits")
    release = m.wire(1, "release")
    out_idx, _ = counter(m, bo, step, hint="out_idx")
    starts = m.eqc(out_idx, 0) if bo > 1 else m.const(1, 1)
    credit_ok = m.or_(m.not_(starts), m.or_(m.nez(credits), release), hint="credit_ok")
    m.assign(step, m.and_(busy, credit_ok))
    acquire = m.and_(step, starts)
    m.assign(credits_n, m.sub(m.add(credits, m.zext(release, 2)), m.zext(acquire, 2)))

    # The element at idx (a mux over the block's elements) and the block's exponent.
    code = lx.element(m, held, 0)
    for i in range(1, bx):
        code = m.mux(m.eqc(idx, i), lx.element(m, held, i), code, hint="elem")
    wv = mx_bits + 1
    value = FUNCTIONS[spec.fn](m, code, wv)
    s_lo, s_hi = spec.x.scale_min, spec.x.scale_max
    lsb = -(mx_bits - 2)
    we = signed_bits(s_lo + lsb - 1, s_hi + lsb + 1)
    if lx.has_scale:
        scode = m.extract(held, bx * mx_bits, spec.x.scale_bits, hint="scode")
        e = m.zext(scode, we)  # exponent = code - bias + lsb: the quantizer adds it
        e_offset, e_range = lsb - spec.x.scale_bias, (0, (1 << spec.x.scale_bits) - 1)
        e_const = None
    else:
        e = m.const(0, we)
        e_offset, e_range, e_const = lsb - spec.x.scale_bias, (0, 0), 0
    v1 = m.reg(step, reset=0, hint="v1")
    val1 = m.reg(value, hint="val1")
    e1 = m.reg(e, hint="e1")
    y_ready = m.wire(1, "y_ready_in")
    q = block_quantizer(m, subs, mems, valid=v1, v=val1, e=e1, out=spec.out, ready=y_ready,
                        e_const=e_const, e_range=e_range, e_offset=e_offset, name="oq")
    m.assign(release, q.release)
    m.assign(y_ready, m.out_channel("y", q.word, q.valid))
    return Unit(
        name=spec.name,
        kind=spec.fn,
        text=m.text(),
        inputs=[StreamPort("x", lx.bits)],
        outputs=[StreamPort("y", lo.bits)],
        operand_ports=["x"],
        memories=mems,
        ideal_cycles=spec.elements,
        channels_in=list(m.input_channels),
        channels_out=list(m.output_channels),
        info={"elements_per_cycle": 1},
    )




def _unary(fn: str):
    def build(op: OpView, subs: SubModules) -> Unit:
        x = op.operands[0]
        return build_unary(UnarySpec(op.unit_name, fn, x.elements, x.fmt, op.result.fmt), subs)
    return build


def populate(registry: dict) -> None:
    for fn in FUNCTIONS:
        registry[f"mxhw.{fn}"] = _unary(fn)
