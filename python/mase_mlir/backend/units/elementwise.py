"""Element-serial units: one element per cycle through a function, rounded once into
the result's blocks (``numerics.elementwise``, bit for bit).

Each operand is a *source* of elements in the result's row-major order:

* a stream: the unit holds its current block and walks its elements;
* a constant in a memory, broadcast along leading axes: an address generator reads
  its blocks in the order the result needs them (a block again for every row it is
  broadcast to) into a two-block queue;
* an f32 scalar: its exact significand and exponent are constants of the unit.

Per element: select, the function of ``(code, exponent)`` per operand giving an exact
``v * 2^e`` (registered), then the block quantizer (``common.block_quantizer``). The
activations (``activation.py``) align the element into a pipeline register first and
evaluate their table in the value stage.
The sum of two values with exponents ``t_hi > t_lo`` keeps every bit when
``t_hi - t_lo <= D = M_out + M - 1``; further apart, the smaller (non-zero) term is
replaced by one unit ``2^(t_hi - D)`` of its sign: both lie strictly between the same
two multiples of ``2^(t_hi - M_out)``, and every rounding boundary and power of two
that matters to the output is such a multiple, so the rounded result is the exact
one's. Input and output block sizes may differ.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from ...numerics import Format
from ...numerics.elementwise import ACTIVATION_OPS, activation_of
from ..rtl import ModuleBuilder, RtlError, Sig, clog2
from . import activation
from .base import MemoryPort, OpView, StreamPort, Unit
from .common import BlockLayout, Memory, SubModules, block_quantizer, counter, signed_bits

__all__ = ["ElementwiseSpec", "OperandSpec", "build_elementwise", "populate"]


@dataclass(frozen=True)
class OperandSpec:
    """One operand: ``"stream"``, ``"memory"`` (a constant of ``shape``) or ``"scalar"``."""

    kind: str
    fmt: Format | None = None
    shape: tuple[int, ...] = ()
    scalar: float = 0.0


@dataclass(frozen=True)
class ElementwiseSpec:
    name: str
    op: str  # relu, add, sub, mul, or an activation (gelu, gelu_tanh, silu, tanh, sigmoid)
    shape: tuple[int, ...]  # the result's
    out: Format
    operands: tuple[OperandSpec, ...]
    scalar_first: bool = False  # the scalar is the left operand (sub: scalar - x)
    rounding: str = "even"

    @property
    def elements(self) -> int:
        return math.prod(self.shape)


@dataclass
class Element:
    """The current element of a source: valid while ``has``; ``code * 2^t``."""

    has: Sig
    code: Sig  # signed
    t: Sig  # signed exponent of the code's unit
    t_range: tuple[int, int]
    t_const: int | None = None


def _lsb(fmt: Format) -> int:
    return fmt.emin - fmt.fraction_bits


def _exponent(m: ModuleBuilder, fmt: Format, word: Sig) -> tuple[Sig, tuple[int, int], int | None]:
    """The exponent ``t = s + lsb`` of a block word's elements: ``(t, range, constant)``."""
    lay = BlockLayout(fmt)
    off = _lsb(fmt) - fmt.scale_bias
    if not lay.has_scale:
        t = fmt.scale_min + _lsb(fmt)
        return m.const(t, signed_bits(t, t)), (t, t), t
    lo, hi = off, off + (1 << fmt.scale_bits) - 2  # the all-ones NaN code is not handled
    wt = signed_bits(min(lo, 0), max(hi, (1 << fmt.scale_bits) - 1))
    code = m.extract(word, fmt.block_size * fmt.element_bits, fmt.scale_bits, hint="scode")
    return m.add(m.zext(code, wt), m.const(off, wt), hint="t"), (lo, hi), None


def _walk(m: ModuleBuilder, fmt: Format, word: Sig, has: Sig, step: Sig, hint: str
          ) -> tuple[Element, Sig]:
    """Walk the elements of ``word`` (one per ``step``); returns the element and the
    pulse that ends the block."""
    lay = BlockLayout(fmt)
    b = fmt.block_size
    idx, idx_last = counter(m, b, step, hint=f"{hint}_idx")
    code = lay.element(m, word, 0)
    for i in range(1, b):
        code = m.mux(m.eqc(idx, i), lay.element(m, word, i), code, hint=f"{hint}_el")
    t, t_range, t_const = _exponent(m, fmt, word)
    return Element(has, code, t, t_range, t_const), m.and_(step, idx_last, hint=f"{hint}_done")


def stream_source(m: ModuleBuilder, port: str, fmt: Format, step: Sig) -> Element:
    """A streamed operand: the block being walked is held while the next one waits."""
    lay = BlockLayout(fmt)
    data, valid, ready = m.in_channel(port, lay.bits)
    held, held_n = m.state(lay.bits, reset=None, hint=f"{port}_held")
    busy, busy_n = m.state(1, reset=0, hint=f"{port}_busy")
    element, freeing = _walk(m, fmt, held, busy, step, port)
    can_take = m.or_(m.not_(busy), freeing, hint=f"{port}_can_take")
    m.assign(ready, can_take)
    take = m.and_(valid, can_take, hint=f"{port}_take")
    m.assign(held_n, m.mux(take, data, held))
    m.assign(busy_n, m.or_(take, m.and_(busy, m.not_(freeing))))
    return element


def broadcast_dims(cshape: tuple[int, ...], rshape: tuple[int, ...], block: int
                   ) -> list[tuple[int, int]]:
    """The block addresses of a constant of ``cshape`` read in the row-major block order of
    a result of ``rshape`` (numpy broadcasting along leading axes) as nested counters:
    ``[(size, stride), ...]``, outermost first, address = sum(count * stride)."""
    nb = rshape[-1] // block
    lead_r = rshape[:-1]
    lead_c = (1,) * (len(rshape) - len(cshape)) + tuple(cshape[:-1])
    dims: list[tuple[int, int]] = []
    stride = nb
    for size_r, size_c in reversed(list(zip(lead_r, lead_c, strict=True))):
        dims.append((size_r, 0 if size_c == 1 else stride))
        stride *= size_c
    dims.reverse()
    dims.append((nb, 1))
    merged: list[tuple[int, int]] = []
    for size, st in dims:
        if size == 1:
            continue
        if merged and merged[-1][1] == st * size:  # contiguous with the outer one
            merged[-1] = (merged[-1][0] * size, st)
        elif merged and merged[-1][1] == 0 and st == 0:
            merged[-1] = (merged[-1][0] * size, 0)
        else:
            merged.append((size, st))
    return merged


def _address_sequence(m: ModuleBuilder, dims: list[tuple[int, int]], words: int, advance: Sig,
                      hint: str) -> Sig:
    """The current address of the nested counters ``dims``; moves on ``advance``."""
    aw = clog2(words)
    addr, addr_n = m.state(aw, reset=0, hint=f"{hint}_addr")
    if not dims:
        m.assign(addr_n, addr)
        return addr
    lasts: list[Sig] = [m.const(1, 1)] * len(dims)
    # Counters from the innermost: each moves when every inner one wraps.
    carry = advance
    for k in range(len(dims) - 1, -1, -1):
        _, last = counter(m, dims[k][0], carry, hint=f"{hint}_c{k}")
        lasts[k] = last
        carry = m.and_(carry, last)

    def delta(k: int) -> int:
        return dims[k][1] - sum((dims[j][0] - 1) * dims[j][1] for j in range(k + 1, len(dims)))

    nxt = m.add(addr, m.const(delta(len(dims) - 1), aw))
    all_last = lasts[-1]
    for k in range(len(dims) - 2, -1, -1):
        nxt = m.mux(all_last, m.add(addr, m.const(delta(k), aw)), nxt, hint=f"{hint}_nx")
        all_last = m.and_(all_last, lasts[k])
    nxt = m.mux(all_last, m.const(0, aw), nxt)
    m.assign(addr_n, m.mux(advance, nxt, addr))
    return addr


def memory_source(m: ModuleBuilder, port: str, fmt: Format, cshape: tuple[int, ...],
                  rshape: tuple[int, ...], step: Sig) -> tuple[Element, int]:
    """A constant operand read from a memory in the result's order into a two-block queue
    (a read is issued while the queue and the reads in flight hold fewer than two
    blocks, so it never overflows and sustains one block per cycle)."""
    lay = BlockLayout(fmt)
    words = math.prod(cshape) // fmt.block_size
    data, dvalid, dready = m.in_channel(f"{port}_data", lay.bits)
    m.assign(dready, m.const(1, 1))
    slots = [m.state(lay.bits, reset=None, hint=f"{port}_slot{i}") for i in range(2)]
    occ, occ_n = m.state(2, reset=0, hint=f"{port}_occ")
    flight, flight_n = m.state(2, reset=0, hint=f"{port}_flight")
    wr, wr_n = m.state(1, reset=0, hint=f"{port}_wr")
    rd, rd_n = m.state(1, reset=0, hint=f"{port}_rd")
    head = m.mux(rd, slots[1][0], slots[0][0], hint=f"{port}_head")
    element, pop = _walk(m, fmt, head, m.nez(occ), step, port)
    # Room for one more read after this cycle's pop.
    used = m.sub(m.add(m.zext(occ, 3), m.zext(flight, 3)), m.zext(pop, 3))
    want = m.cmp("ult", used, m.const(2, 3), hint=f"{port}_want")
    issue = m.wire(1, f"{port}_issue")
    addr = _address_sequence(m, broadcast_dims(cshape, rshape, fmt.block_size), words, issue,
                             port)
    ready = m.out_channel(f"{port}_addr", addr, want)
    m.assign(issue, m.and_(want, ready))
    for i, (value, nxt) in enumerate(slots):
        mine = m.and_(dvalid, m.eqc(wr, i))
        m.assign(nxt, m.mux(mine, data, value))
    m.assign(wr_n, m.xor(wr, dvalid))
    m.assign(rd_n, m.xor(rd, pop))
    m.assign(occ_n, m.sub(m.add(occ, m.zext(dvalid, 2)), m.zext(pop, 2)))
    m.assign(flight_n, m.sub(m.add(flight, m.zext(issue, 2)), m.zext(dvalid, 2)))
    return element, words


def f32_parts(value: float) -> tuple[int, int]:
    """``(mantissa, exponent)`` with ``value == mantissa * 2^exponent`` exactly and an odd
    mantissa (0, 0 for zero)."""
    if not math.isfinite(value):
        raise RtlError(f"the scalar {value} is not finite")
    if value == 0:
        return 0, 0
    frac, exp = math.frexp(value)
    mant, exp = int(frac * (1 << 53)), exp - 53
    while mant % 2 == 0:
        mant, exp = mant // 2, exp + 1
    return mant, exp


def scalar_source(m: ModuleBuilder, value: float) -> Element:
    mant, exp = f32_parts(value)
    width = signed_bits(-abs(mant), abs(mant))
    we = signed_bits(exp, exp)
    return Element(m.const(1, 1), m.const(mant, width), m.const(exp, we), (exp, exp), exp)


# ----------------------------------------------------------------- element functions
@dataclass
class Value:
    """An exact ``v * 2^e`` for the block quantizer."""

    v: Sig
    e: Sig
    e_range: tuple[int, int]
    e_const: int | None = None


def _negate(m: ModuleBuilder, el: Element) -> Element:
    code = m.neg(m.sext(el.code, el.code.width + 1), hint="negated")
    return Element(el.has, code, el.t, el.t_range, el.t_const)


def _widen(m: ModuleBuilder, sig: Sig, width: int) -> Sig:
    return m.sresize(sig, width)


def _unary_value(op: str) -> Callable[[ModuleBuilder, Element], Value]:
    def fn(m: ModuleBuilder, x: Element) -> Value:
        code = x.code
        if op == "relu":
            code = m.mux(m.bit(code, code.width - 1), m.const(0, code.width), code, hint="relu")
        return Value(code, x.t, x.t_range, x.t_const)
    return fn


def _mul_value(m: ModuleBuilder, a: Element, b: Element) -> Value:
    w = a.code.width + b.code.width
    v = m.mul(m.sext(a.code, w), m.sext(b.code, w), hint="product")
    lo, hi = a.t_range[0] + b.t_range[0], a.t_range[1] + b.t_range[1]
    we = signed_bits(lo, hi)
    e = m.add(_widen(m, a.t, we), _widen(m, b.t, we), hint="e_product")
    const = a.t_const + b.t_const if a.t_const is not None and b.t_const is not None else None
    return Value(v, e, (lo, hi), const)


def _sum_value(m: ModuleBuilder, a: Element, b: Element, out: Format) -> Value:
    """The exact sum of two values (see the module docstring for the far case)."""
    wq = max(a.code.width, b.code.width)
    far_d = out.element_bits + wq - 1  # D
    w = wq + far_d + 1
    lo = min(a.t_range[0], b.t_range[0]) - far_d
    hi = max(a.t_range[1], b.t_range[1])
    we = signed_bits(lo, hi)
    wd = signed_bits(lo - hi, hi - lo)
    qa, qb = m.sext(a.code, w), m.sext(b.code, w)
    ta, tb = _widen(m, a.t, we), _widen(m, b.t, we)
    za, zb = m.eqc(a.code, 0, hint="a_zero"), m.eqc(b.code, 0, hint="b_zero")
    d = m.sub(m.sresize(a.t, wd), m.sresize(b.t, wd), hint="d")
    a_hi = m.not_(m.bit(d, wd - 1), hint="a_hi")
    dd = m.mux(a_hi, d, m.neg(d), hint="dd")  # |ta - tb|
    far = m.cmp("ugt", dd, m.const(far_d, wd), hint="far")
    sw = clog2(far_d + 1)
    amount = m.mux(far, m.const(far_d, sw), m.uresize(dd, sw), hint="amount")
    hi_q, lo_q = m.mux(a_hi, qa, qb, hint="hi_q"), m.mux(a_hi, qb, qa, hint="lo_q")
    hi_t, lo_t = m.mux(a_hi, ta, tb, hint="hi_t"), m.mux(a_hi, tb, ta, hint="lo_t")
    lo_neg = m.bit(lo_q, w - 1)
    unit = m.mux(lo_neg, m.const(-1, w), m.mux(m.nez(lo_q), m.const(1, w), m.const(0, w)))
    lo_term = m.mux(far, unit, lo_q, hint="lo_term")
    v = m.add(m.shl(hi_q, m.zext(amount, w)), lo_term, hint="sum")
    e = m.mux(far, m.sub(hi_t, m.const(far_d, we)), lo_t, hint="e_sum")
    # A zero term does not count: the other one, exactly.
    v = m.mux(za, qb, m.mux(zb, qa, v), hint="sum_z")
    e = m.mux(za, tb, m.mux(zb, ta, e), hint="e_sum_z")
    return Value(v, e, (lo, hi))


# ---------------------------------------------------------------------- the unit
_PORTS = ("a", "b")
_ACTIVATIONS = tuple(activation_of(f"mx.{kind}", approx) for kind in ACTIVATION_OPS
                     for approx in (("erf", "tanh") if kind == "gelu" else ("erf",)))
_KINDS = ("relu", "add", "sub", "mul", *_ACTIVATIONS)


def build_elementwise(spec: ElementwiseSpec, subs: SubModules) -> Unit:
    if spec.op not in _KINDS:
        raise RtlError(f"{spec.name}: no element-serial unit for {spec.op!r}")
    for i, operand in enumerate(spec.operands):
        if operand.fmt is not None and not operand.fmt.is_int:
            raise RtlError(f"{spec.name}: the hardware implements MXInt formats only; "
                           f"operand #{i} is {operand.fmt}")
    if not spec.out.is_int:
        raise RtlError(f"{spec.name}: the hardware implements MXInt formats only; "
                       f"the output is {spec.out}")
    m = ModuleBuilder(spec.name)
    mems: list[Memory] = []
    unary = len(spec.operands) == 1
    step = m.wire(1, "step")  # an element enters the value stage
    staged = spec.op in _ACTIVATIONS
    take = m.wire(1, "take") if staged else step  # the sources move on
    elements: list[Element] = []
    inputs: list[StreamPort] = []
    operand_ports: list[str | None] = []
    memory_ports: list[MemoryPort] = []
    for i, operand in enumerate(spec.operands):
        port = "x" if unary else _PORTS[i]
        if operand.kind == "stream":
            elements.append(stream_source(m, port, operand.fmt, take))
            inputs.append(StreamPort(port, BlockLayout(operand.fmt).bits))
            operand_ports.append(port)
        elif operand.kind == "memory":
            el, words = memory_source(m, port, operand.fmt, operand.shape, spec.shape, take)
            elements.append(el)
            operand_ports.append(None)
            # One read per block of the operand walked in the result's order.
            memory_ports.append(MemoryPort(port, i, clog2(words),
                                           BlockLayout(operand.fmt).bits, words,
                                           reads_per_pass=math.prod(spec.shape)
                                           // operand.fmt.block_size))
        else:
            value = -operand.scalar if spec.op == "sub" and not spec.scalar_first else \
                operand.scalar
            elements.append(scalar_source(m, value))
    if spec.op == "sub":
        if spec.scalar_first:  # scalar - x
            elements[0] = _negate(m, elements[0])
        elif spec.operands[1].kind != "scalar":  # x - y (the scalar was negated above)
            elements[1] = _negate(m, elements[1])

    # Credits for the quantizer: one per output block, taken at its first element.
    credits, credits_n = m.state(2, reset=2, hint="credits")
    release = m.wire(1, "release")
    bo = spec.out.block_size
    out_idx, _ = counter(m, bo, step, hint="out_idx")
    starts = m.eqc(out_idx, 0) if bo > 1 else m.const(1, 1)
    credit_ok = m.or_(m.not_(starts), m.or_(m.nez(credits), release), hint="credit_ok")
    if staged:
        # An activation first aligns its element into a pipeline register (filled
        # whenever it is empty or emptied this cycle), then evaluates the table.
        x = elements[0]
        aligned = activation.align(m, spec.op, x.code, x.t, x.t_range, x.t_const)
        full, full_n = m.state(1, reset=0, hint="al_full")
        m.assign(take, m.and_(x.has, m.or_(m.not_(full), step), hint="al_load"))
        held = [m.reg(sig, en=take, hint="al") for sig in aligned.signals()]
        m.assign(full_n, m.or_(take, m.and_(full, m.not_(step))))
        m.assign(step, m.and_(full, credit_ok))
    else:
        m.assign(step, m.and_(m.all_of(el.has for el in elements), credit_ok))
    acquire = m.and_(step, starts)
    m.assign(credits_n, m.sub(m.add(credits, m.zext(release, 2)), m.zext(acquire, 2)))

    # The exact value of the selected elements, registered: the quantizer sees it one
    # cycle after the step (a longer latency would hold its credits longer than the
    # two blocks it stages and cost a cycle every other block).
    if staged:
        x = elements[0]
        value = Value(*activation.evaluate(m, spec.op, aligned.with_signals(held), x.t_range,
                                           x.t_const))
    elif unary:
        value = _unary_value(spec.op)(m, elements[0])
    elif spec.op == "mul":
        value = _mul_value(m, elements[0], elements[1])
    else:
        value = _sum_value(m, elements[0], elements[1], spec.out)
    v1 = m.reg(step, reset=0, hint="v1")
    val1 = m.reg(value.v, hint="val1")
    e1 = m.reg(value.e, hint="e1")
    y_ready = m.wire(1, "y_ready_in")
    q = block_quantizer(m, subs, mems, valid=v1, v=val1, e=e1, out=spec.out, ready=y_ready,
                        e_const=value.e_const, e_range=value.e_range,
                        rounding=spec.rounding, name="oq")
    m.assign(release, q.release)
    m.assign(y_ready, m.out_channel("y", q.word, q.valid))
    return Unit(
        name=spec.name,
        kind=spec.op,
        text=m.text(),
        inputs=inputs,
        outputs=[StreamPort("y", BlockLayout(spec.out).bits)],
        operand_ports=operand_ports,
        memory_ports=memory_ports,
        memories=mems,
        ideal_cycles=spec.elements,
        channels_in=list(m.input_channels),
        channels_out=list(m.output_channels),
        info={"elements_per_cycle": 1},
    )


def _operand(view) -> OperandSpec:
    return OperandSpec("stream" if view.stream else "memory", view.fmt, view.shape)


def _from_op(op: OpView, subs: SubModules) -> Unit:
    kind = op.kind.split(".")[-1]
    if kind in ACTIVATION_OPS:
        kind = activation_of(op.kind, op.attributes.get("approximate"))
    operands = [_operand(v) for v in op.operands]
    scalar = op.attributes.get("scalar")
    if scalar is not None:
        operands.append(OperandSpec("scalar", scalar=float(scalar)))
    spec = ElementwiseSpec(op.unit_name, kind, op.result.shape, op.result.fmt, tuple(operands),
                           scalar_first="scalar_first" in op.attributes,
                           rounding=op.attributes.get("rounding", "even"))
    return build_elementwise(spec, subs)


def populate(registry: dict) -> None:
    for kind in ("relu", "add", "sub", "mul", *ACTIVATION_OPS):
        registry[f"mxhw.{kind}"] = _from_op
