"""A small builder of CIRCT core-dialect IR (``hw``, ``comb``, ``seq``, ``esi``) as text.

The hardware units are statically scheduled datapaths written with this builder;
the result is parsed by the circt wheel (in the CIRCT child process), which lowers
it to SystemVerilog. Widths are checked here, when the IR is built, so that a unit
generator bug is a Python exception naming the operation, not a CIRCT parse error.

Values are :class:`Sig` (an SSA name and a width). Bodies of ``hw.module`` are
graph regions, so a value may be used before the op that defines it: a
:meth:`ModuleBuilder.wire` reserves a name that :meth:`ModuleBuilder.assign`
defines later (registers and handshakes use it for their feedback).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["ModuleBuilder", "RtlError", "Sig", "clog2"]


class RtlError(ValueError):
    """A unit generator built invalid hardware (a width mismatch, an unassigned wire)."""


def clog2(n: int) -> int:
    """Bits to hold the values 0..n-1 (at least 1)."""
    return max(1, (max(n, 1) - 1).bit_length())


@dataclass(frozen=True)
class Sig:
    """An SSA value of ``width`` bits (signless; signedness is chosen by the op)."""

    name: str
    width: int

    def __str__(self) -> str:
        return self.name

    @property
    def type(self) -> str:
        return f"i{self.width}"


class ModuleBuilder:
    """Builds one ``hw.module`` with a clock, a synchronous active-high reset, ports and a body.

    Stream ports are ESI ready/valid channels (``!esi.channel<iW>``), so that the
    handshake netlist connects them; ``lower-esi-ports`` later flattens them into
    ``name``, ``name_valid`` and ``name_ready`` wires.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self._ports: list[str] = []
        self._outputs: list[tuple[str, str, str]] = []  # (name, value, type)
        self._body: list[str] = []
        self._names: set[str] = set()
        self._pending: dict[str, Sig] = {}
        self._consts: dict[tuple[int, int], Sig] = {}
        self._port_names: set[str] = set()
        #: Stream ports in declaration order: (name, width).
        self.input_channels: list[tuple[str, int]] = []
        self.output_channels: list[tuple[str, int]] = []
        # The clock and reset come after the other inputs, as in the modules that
        # CIRCT's handshake lowering declares for instances.
        self.clock = self._port_in("clock", "!seq.clock", 0, listed=False)
        self.reset = self._port_in("reset", "i1", 1, listed=False)
        self._clock_ports = [f"in {self.clock.name} : !seq.clock", f"in {self.reset.name} : i1"]

    # ---------------------------------------------------------------- naming
    def _fresh(self, hint: str = "v") -> str:
        base = "".join(c if c.isalnum() or c == "_" else "_" for c in hint) or "v"
        if base[0].isdigit():
            base = "v" + base
        name, k = base, 0
        while name in self._names:
            k += 1
            name = f"{base}_{k}"
        self._names.add(name)
        return "%" + name

    def _emit(self, line: str) -> None:
        self._body.append("    " + line)

    def _port_in(self, name: str, type_: str, width: int, listed: bool = True) -> Sig:
        if name in self._port_names:
            raise RtlError(f"{self.name}: duplicate port {name!r}")
        self._port_names.add(name)
        ssa = self._fresh(name)
        if listed:
            self._ports.append(f"in {ssa} : {type_}")
        return Sig(ssa, width)

    # ----------------------------------------------------------------- ports
    def input(self, name: str, width: int) -> Sig:
        _check_width(width, f"input {name}")
        return self._port_in(name, f"i{width}", width)

    def output(self, name: str, value: Sig) -> None:
        if name in self._port_names:
            raise RtlError(f"{self.name}: duplicate port {name!r}")
        self._port_names.add(name)
        self._outputs.append((name, value.name, value.type))

    def in_channel(self, name: str, width: int) -> tuple[Sig, Sig, Sig]:
        """An input stream: returns ``(data, valid, ready)``; ``ready`` is a wire to assign."""
        _check_width(width, f"channel {name}")
        if name in self._port_names:
            raise RtlError(f"{self.name}: duplicate port {name!r}")
        self._port_names.add(name)
        chan = self._fresh(name)
        self._ports.append(f"in {chan} : !esi.channel<i{width}>")
        self.input_channels.append((name, width))
        data, valid = Sig(self._fresh(name + "_data"), width), Sig(self._fresh(name + "_valid"), 1)
        ready = self.wire(1, name + "_ready")
        self._emit(f"{data.name}, {valid.name} = esi.unwrap.vr {chan}, {ready.name} : i{width}")
        return data, valid, ready

    def out_channel(self, name: str, data: Sig, valid: Sig) -> Sig:
        """An output stream carrying ``data`` when ``valid``; returns the consumer's ready."""
        _check_bit(valid, f"channel {name} valid")
        chan = Sig(self._fresh(name), data.width)
        ready = Sig(self._fresh(name + "_ready"), 1)
        self._emit(f"{chan.name}, {ready.name} = esi.wrap.vr {data.name}, {valid.name} : "
                   f"{data.type}")
        if name in self._port_names:
            raise RtlError(f"{self.name}: duplicate port {name!r}")
        self._port_names.add(name)
        self._outputs.append((name, chan.name, f"!esi.channel<{data.type}>"))
        self.output_channels.append((name, data.width))
        return ready

    # ----------------------------------------------------------- wires/consts
    def wire(self, width: int, hint: str = "w") -> Sig:
        """A name defined later by :meth:`assign` (a forward reference)."""
        _check_width(width, hint)
        sig = Sig(self._fresh(hint), width)
        self._pending[sig.name] = sig
        return sig

    def assign(self, wire: Sig, value: Sig) -> None:
        if self._pending.pop(wire.name, None) is None:
            raise RtlError(f"{self.name}: {wire.name} is not an unassigned wire")
        _same(wire, value, "assign")
        self._emit(f"{wire.name} = hw.wire {value.name} : {value.type}")

    def const(self, value: int, width: int) -> Sig:
        _check_width(width, "constant")
        value = int(value) & ((1 << width) - 1)
        key = (value, width)
        if key not in self._consts:
            signed = value - (1 << width) if value >= 1 << (width - 1) else value
            sig = Sig(self._fresh(f"c{width}"), width)
            text = ("true" if value else "false") if width == 1 else f"{signed} : i{width}"
            self._emit(f"{sig.name} = hw.constant {text}")
            self._consts[key] = sig
        return self._consts[key]

    def _op(self, text: str, width: int, hint: str) -> Sig:
        sig = Sig(self._fresh(hint), width)
        self._emit(f"{sig.name} = {text}")
        return sig

    # ------------------------------------------------------------ arithmetic
    def _binary(self, op: str, a: Sig, b: Sig, hint: str) -> Sig:
        _same(a, b, op)
        return self._op(f"comb.{op} {a.name}, {b.name} : {a.type}", a.width, hint)

    def add(self, a: Sig, b: Sig, hint: str = "add") -> Sig:
        return self._binary("add", a, b, hint)

    def sub(self, a: Sig, b: Sig, hint: str = "sub") -> Sig:
        return self._binary("sub", a, b, hint)

    def mul(self, a: Sig, b: Sig, hint: str = "mul") -> Sig:
        return self._binary("mul", a, b, hint)

    def and_(self, a: Sig, b: Sig, hint: str = "and") -> Sig:
        return self._binary("and", a, b, hint)

    def or_(self, a: Sig, b: Sig, hint: str = "or") -> Sig:
        return self._binary("or", a, b, hint)

    def xor(self, a: Sig, b: Sig, hint: str = "xor") -> Sig:
        return self._binary("xor", a, b, hint)

    def not_(self, a: Sig, hint: str = "not") -> Sig:
        return self.xor(a, self.const(-1, a.width), hint)

    def all_of(self, bits: Iterable[Sig], hint: str = "all") -> Sig:
        out: Sig | None = None
        for b in bits:
            out = b if out is None else self.and_(out, b, hint)
        return self.const(1, 1) if out is None else out

    def any_of(self, bits: Iterable[Sig], hint: str = "any") -> Sig:
        out: Sig | None = None
        for b in bits:
            out = b if out is None else self.or_(out, b, hint)
        return self.const(0, 1) if out is None else out

    def shl(self, a: Sig, amount: Sig, hint: str = "shl") -> Sig:
        return self._binary("shl", a, self.uresize(amount, a.width), hint)

    def shru(self, a: Sig, amount: Sig, hint: str = "shru") -> Sig:
        return self._binary("shru", a, self.uresize(amount, a.width), hint)

    def shrs(self, a: Sig, amount: Sig, hint: str = "shrs") -> Sig:
        return self._binary("shrs", a, self.uresize(amount, a.width), hint)

    def mux(self, cond: Sig, if_true: Sig, if_false: Sig, hint: str = "mux") -> Sig:
        _check_bit(cond, "mux condition")
        _same(if_true, if_false, "mux")
        return self._op(f"comb.mux {cond.name}, {if_true.name}, {if_false.name} : "
                        f"{if_true.type}", if_true.width, hint)

    def cmp(self, pred: str, a: Sig, b: Sig, hint: str = "cmp") -> Sig:
        _same(a, b, f"icmp {pred}")
        return self._op(f"comb.icmp {pred} {a.name}, {b.name} : {a.type}", 1, hint)

    def eq(self, a: Sig, b: Sig, hint: str = "eq") -> Sig:
        return self.cmp("eq", a, b, hint)

    def ne(self, a: Sig, b: Sig, hint: str = "ne") -> Sig:
        return self.cmp("ne", a, b, hint)

    def eqc(self, a: Sig, value: int, hint: str = "eq") -> Sig:
        return self.eq(a, self.const(value, a.width), hint)

    def nez(self, a: Sig, hint: str = "nz") -> Sig:
        return self.ne(a, self.const(0, a.width), hint)

    def neg(self, a: Sig, hint: str = "neg") -> Sig:
        return self.sub(self.const(0, a.width), a, hint)

    def smax(self, a: Sig, b: Sig, hint: str = "smax") -> Sig:
        return self.mux(self.cmp("sgt", a, b), a, b, hint)

    def smin(self, a: Sig, b: Sig, hint: str = "smin") -> Sig:
        return self.mux(self.cmp("slt", a, b), a, b, hint)

    # ------------------------------------------------------------------ bits
    def extract(self, a: Sig, lo: int, width: int, hint: str = "bits") -> Sig:
        if lo < 0 or width < 1 or lo + width > a.width:
            raise RtlError(f"extract [{lo}, {lo + width}) of an i{a.width}")
        if lo == 0 and width == a.width:
            return a
        return self._op(f"comb.extract {a.name} from {lo} : ({a.type}) -> i{width}", width, hint)

    def bit(self, a: Sig, index: int, hint: str = "bit") -> Sig:
        return self.extract(a, index, 1, hint)

    def concat(self, *parts: Sig, hint: str = "cat") -> Sig:
        """``parts[0]`` in the most significant bits."""
        if len(parts) == 1:
            return parts[0]
        names = ", ".join(p.name for p in parts)
        types = ", ".join(p.type for p in parts)
        return self._op(f"comb.concat {names} : {types}", sum(p.width for p in parts), hint)

    def replicate(self, a: Sig, times: int, hint: str = "rep") -> Sig:
        if times == 1:
            return a
        return self._op(f"comb.replicate {a.name} : ({a.type}) -> i{a.width * times}",
                        a.width * times, hint)

    def zext(self, a: Sig, width: int, hint: str = "zext") -> Sig:
        if width < a.width:
            raise RtlError(f"zext of an i{a.width} to i{width}")
        if width == a.width:
            return a
        return self.concat(self.const(0, width - a.width), a, hint=hint)

    def sext(self, a: Sig, width: int, hint: str = "sext") -> Sig:
        if width < a.width:
            raise RtlError(f"sext of an i{a.width} to i{width}")
        if width == a.width:
            return a
        sign = self.bit(a, a.width - 1)
        return self.concat(self.replicate(sign, width - a.width), a, hint=hint)

    def uresize(self, a: Sig, width: int, hint: str = "ures") -> Sig:
        """Zero-extend or truncate."""
        return self.zext(a, width, hint) if width >= a.width else self.extract(a, 0, width, hint)

    def sresize(self, a: Sig, width: int, hint: str = "sres") -> Sig:
        """Sign-extend or truncate."""
        return self.sext(a, width, hint) if width >= a.width else self.extract(a, 0, width, hint)

    # ------------------------------------------------------------ sequential
    def reg(self, next_: Sig, *, en: Sig | None = None, reset: int | None = None,
            hint: str = "r") -> Sig:
        """A register (``seq.compreg``); ``reset``: the value on reset (None: no reset)."""
        sig = Sig(self._fresh(hint), next_.width)
        op = "seq.compreg.ce" if en is not None else "seq.compreg"
        args = f"{next_.name}, {self.clock.name}" + (f", {en.name}" if en is not None else "")
        if en is not None:
            _check_bit(en, "register enable")
        if reset is not None:
            args += f" reset {self.reset.name}, {self.const(reset, next_.width).name}"
        self._emit(f"{sig.name} = {op} {args} : {next_.type}")
        return sig

    def state(self, width: int, *, reset: int | None = 0, hint: str = "s") -> tuple[Sig, Sig]:
        """A register whose next value is assigned later: returns ``(value, next_wire)``."""
        nxt = self.wire(width, hint + "_next")
        return self.reg(nxt, reset=reset, hint=hint), nxt

    # -------------------------------------------------------------- instances
    def instance(self, module: str, name: str, inputs: Sequence[tuple[str, Sig]],
                 outputs: Sequence[tuple[str, int]], *, clocked: bool = True) -> dict[str, Sig]:
        """An instance of ``module``; ``inputs`` exclude the clock and reset it gets."""
        ins = list(inputs)
        if clocked:
            ins = [*ins, ("clock", self.clock), ("reset", self.reset)]
        args = ", ".join(f"{p}: {s.name}: {'!seq.clock' if s is self.clock else s.type}"
                         for p, s in ins)
        outs = {p: Sig(self._fresh(f"{name}_{p}"), w) for p, w in outputs}
        lhs = ", ".join(s.name for s in outs.values())
        rets = ", ".join(f"{p}: i{w}" for p, w in outputs)
        self._emit(f"{lhs} = hw.instance \"{name}\" @{module}({args}) -> ({rets})")
        return outs

    # ------------------------------------------------------------------ text
    def text(self) -> str:
        if self._pending:
            raise RtlError(f"{self.name}: wires never assigned: {', '.join(self._pending)}")
        ports = [*self._ports, *self._clock_ports, *(f"out {n} : {t}" for n, _, t in self._outputs)]
        head = f"hw.module @{self.name}({', '.join(ports)}) {{"
        outs = self._outputs
        tail = ("    hw.output " + ", ".join(v for _, v, _ in outs) + " : "
                + ", ".join(t for _, _, t in outs)) if outs else "    hw.output"
        return "\n".join([head, *self._body, tail, "}"])


def _check_width(width: int, what: str) -> None:
    if not isinstance(width, int) or width < 1:
        raise RtlError(f"{what}: width must be a positive integer, got {width!r}")


def _check_bit(sig: Sig, what: str) -> None:
    if sig.width != 1:
        raise RtlError(f"{what} must be one bit, got i{sig.width}")


def _same(a: Sig, b: Sig, op: str) -> None:
    if a.width != b.width:
        raise RtlError(f"{op}: operand widths differ (i{a.width} vs i{b.width})")
