"""Data movement units: ``mxhw.view`` (whole blocks move) and ``mxhw.reblock`` (elements
gather into new blocks, rounded once).

Both read their op's element map as a stream table (``mxhw.stream_table``: for every
output element in the output's stream order, the source, the source block in that
source's stream, the element's position in the block and whether it is negated).

* A view that keeps the stream (one source, block ``k`` out is block ``k`` in, elements
  in place, nothing negated: a reshape that keeps the blocking, a head split of one
  head) is wires: no logic, no latency.
* Otherwise a **reorder buffer**: each source's blocks are written into a RAM in stream
  order; the output blocks are read in the output's order, each as soon as its source
  block is written (the tensor's last read waits for every source), from a table (a
  ROM: per output block its source, block address and element pattern: a permutation
  and negation of the block's elements, from the few distinct ones). One block per
  cycle out, through a two-entry output queue.
* A reblock buffers its sources the same way, then walks the output elements one per
  cycle (a ROM per element: source, block, position, negation) into the block
  quantizer: ``numerics.quantize`` of the gathered exact values, bit for bit.

The buffers hold whole tensors (the general case: a transposition of the block grid
needs all of it before its first output block); since a block leaves as soon as it has
arrived, a reordering within batches or heads (an attention's head split of a batch of
sentences) streams with the latency of one batch or head, not of the tensor.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...numerics import Format
from ..rtl import ModuleBuilder, RtlError, Sig, clog2
from .base import OpView, StreamPort, Unit
from .common import BlockLayout, Memory, SubModules, block_quantizer, counter, ram, signed_bits

__all__ = ["StreamTable", "build_reblock", "build_view", "populate", "rom"]


@dataclass(frozen=True)
class StreamTable:
    """An element map in the output's stream order (see the module docstring)."""

    source: np.ndarray  # int, per output element
    block: np.ndarray
    position: np.ndarray
    negate: np.ndarray  # bool


def rom(m: ModuleBuilder, values: list[int], width: int, addr: Sig, hint: str) -> Sig:
    """A read-only table: ``values[addr]`` (combinational, ``width`` bits)."""
    if len(values) == 1:
        return m.const(values[0], width)
    if len(set(values)) == 1:
        return m.const(values[0], width)
    n = len(values)
    aw = clog2(n)
    # hw arrays list their last element first.
    items = ", ".join(f"{int(v)} : i{width}" for v in reversed(values))
    arr = m._op(f"hw.aggregate_constant [{items}] : !hw.array<{n}xi{width}>", 0, hint + "_tab")
    return m._op(f"hw.array_get {arr.name}[{m.uresize(addr, aw).name}] : "
                 f"!hw.array<{n}xi{width}>, i{aw}", width, hint)


# ------------------------------------------------------------------- shared buffers
@dataclass
class _Buffers:
    """Source RAMs written in stream order. A block may be read as soon as it is written
    (the reads start before the sources are complete: a batch's transposition streams
    out while the next batch arrives); the last read of a tensor waits for every source
    to be complete, so that no block of this tensor is written after it."""

    done: Sig  # wire: the last read of this tensor is issued
    read: list[Sig]  # per source: its RAM's read word
    raddr: Sig  # wire: the block address (in the source) to read
    written: list[Sig]  # per source: blocks of this tensor written so far
    fulls: list[Sig]  # per source: every block of this tensor written

    def available(self, m: ModuleBuilder, src: Sig | None, blk: Sig, last: Sig) -> Sig:
        """Block ``blk`` of source ``src`` is in its RAM (and, for the tensor's ``last``
        read, every source is complete)."""
        per_source = []
        for s, (count, full) in enumerate(zip(self.written, self.fulls, strict=True)):
            w = max(blk.width, count.width)
            ok = m.or_(full, m.cmp("ult", m.uresize(blk, w), m.uresize(count, w)),
                       hint=f"written{s}")
            per_source.append(ok if src is None else m.and_(m.eqc(src, s), ok))
        ok = m.any_of(per_source, hint="available")
        return m.and_(ok, m.or_(m.not_(last), m.all_of(self.fulls)), hint="readable")


def _buffers(m: ModuleBuilder, subs: SubModules, mems: list[Memory],
             sources: list[tuple[int, int]], addr_bits: int) -> _Buffers:
    """``sources``: (blocks, word bits) per source; ports ``x0``, ``x1``, ..."""
    done = m.wire(1, "done")
    raddr = m.wire(addr_bits, "raddr")
    fulls, reads, written = [], [], []
    for s, (blocks, bits) in enumerate(sources):
        data, valid, ready = m.in_channel(f"x{s}", bits)
        full, full_n = m.state(1, reset=0, hint=f"full{s}")
        accept = m.not_(full, hint=f"accept{s}")
        m.assign(ready, accept)
        take = m.and_(valid, accept, hint=f"take{s}")
        idx, last = counter(m, blocks, take, hint=f"wr{s}")
        m.assign(full_n, m.and_(m.not_(done), m.or_(full, m.and_(take, last))))
        reads.append(ram(m, subs, mems, f"buf{s}", blocks, bits, we=take, waddr=idx,
                         wdata=data, raddr=raddr))
        fulls.append(full)
        written.append(idx)
    return _Buffers(done, reads, raddr, written, fulls)


def _select(m: ModuleBuilder, words: list[Sig], which: Sig | None, hint: str) -> Sig:
    word = words[0]
    for s in range(1, len(words)):
        word = m.mux(m.eqc(which, s), words[s], word, hint=hint)
    return word


# ---------------------------------------------------------------------------- view
@dataclass(frozen=True)
class ViewSpec:
    name: str
    fmt: Format
    source_blocks: tuple[int, ...]
    blocks: tuple[tuple[int, int], ...]  # per output block: (source, block)
    pattern_of: tuple[int, ...]  # per output block: its element pattern
    patterns: tuple[tuple[tuple[int, ...], tuple[bool, ...]], ...]  # (positions, negate)

    @property
    def is_wires(self) -> bool:
        identity = (tuple(range(self.fmt.block_size)), (False,) * self.fmt.block_size)
        return (len(self.source_blocks) == 1 and self.patterns == (identity,)
                and self.blocks == tuple((0, k) for k in range(self.source_blocks[0])))


def view_spec(name: str, fmt: Format, source_blocks: list[int], table: StreamTable) -> ViewSpec:
    b = fmt.block_size
    n = len(table.source) // b
    blocks, pattern_of, patterns = [], [], {}
    for k in range(n):
        sl = slice(k * b, (k + 1) * b)
        src, blk = table.source[sl], table.block[sl]
        if (src != src[0]).any() or (blk != blk[0]).any():
            raise RtlError(f"{name}: output block {k} gathers several source blocks "
                           "(an mxhw.reblock)")
        blocks.append((int(src[0]), int(blk[0])))
        pat = (tuple(int(p) for p in table.position[sl]), tuple(bool(v) for v in
                                                                 table.negate[sl]))
        pattern_of.append(patterns.setdefault(pat, len(patterns)))
    return ViewSpec(name, fmt, tuple(source_blocks), tuple(blocks), tuple(pattern_of),
                    tuple(patterns))


def _wires(spec: ViewSpec, bits: int) -> Unit:
    m = ModuleBuilder(spec.name)
    data, valid, ready = m.in_channel("x0", bits)
    m.assign(ready, m.out_channel("y", data, valid))
    return Unit(name=spec.name, kind="view", text=m.text(), inputs=[StreamPort("x0", bits)],
                outputs=[StreamPort("y", bits)], operand_ports=["x0"], ideal_cycles=0,
                channels_in=list(m.input_channels), channels_out=list(m.output_channels),
                info={"reorder": False})


def _apply_pattern(m: ModuleBuilder, word: Sig, fmt: Format, patterns, which: Sig | None
                   ) -> Sig:
    layout = BlockLayout(fmt)
    b, mw = fmt.block_size, fmt.element_bits
    identity = (tuple(range(b)), (False,) * b)
    if patterns == (identity,):
        return word
    elems = [layout.element(m, word, i) for i in range(b)]
    out = []
    for j in range(b):
        value = None
        for p, (pos, neg) in enumerate(patterns):
            e = elems[pos[j]]
            if neg[j]:
                e = m.neg(e, hint="negated")
            value = e if value is None else m.mux(m.eqc(which, p), e, value, hint="pick")
        out.append(value)
    body = m.concat(*reversed(out))
    if layout.has_scale:
        return m.concat(m.extract(word, b * mw, fmt.scale_bits, hint="scale"), body)
    return body


def build_view(spec: ViewSpec, subs: SubModules) -> Unit:
    bits = BlockLayout(spec.fmt).bits
    if spec.is_wires:
        return _wires(spec, bits)
    m = ModuleBuilder(spec.name)
    mems: list[Memory] = []
    n_out = len(spec.blocks)
    aw = clog2(max(spec.source_blocks))
    sw = clog2(len(spec.source_blocks))
    pw = clog2(len(spec.patterns))
    buf = _buffers(m, subs, mems, [(n, bits) for n in spec.source_blocks], aw)

    # Issue one read per cycle while the output queue (2 entries) has room.
    count, count_n = m.state(2, reset=0, hint="q_count")
    inflight, inflight_n = m.state(1, reset=0, hint="inflight")
    y_ready = m.wire(1, "y_ready_in")
    pop = m.and_(m.nez(count), y_ready, hint="pop")
    room = m.cmp("ult", m.sub(m.add(count, m.zext(inflight, 2)), m.zext(pop, 2)),
                 m.const(2, 2), hint="room")
    issue = m.wire(1, "issue")
    o, o_last = counter(m, n_out, issue, hint="out_blk")
    m.assign(buf.done, m.and_(issue, o_last))
    m.assign(inflight_n, issue)
    entry_w = aw + sw + pw
    entries = [(blk << (sw + pw)) | (src << pw) | pat
               for (src, blk), pat in zip(spec.blocks, spec.pattern_of, strict=True)]
    entry = rom(m, entries, entry_w, o, "map")
    m.assign(buf.raddr, m.extract(entry, sw + pw, aw))
    src0 = m.extract(entry, pw, sw) if len(spec.source_blocks) > 1 else None
    m.assign(issue, m.and_(buf.available(m, src0, buf.raddr, o_last), room))
    src1 = m.reg(m.extract(entry, pw, sw), hint="src1") if len(spec.source_blocks) > 1 else None
    pat1 = m.reg(m.extract(entry, 0, pw), hint="pat1") if len(spec.patterns) > 1 else None
    word = _apply_pattern(m, _select(m, buf.read, src1, "src_word"), spec.fmt, spec.patterns,
                          pat1)

    # The output queue.
    push = inflight
    e0, e0_n = m.state(bits, reset=None, hint="q0")
    e1, e1_n = m.state(bits, reset=None, hint="q1")
    one, two = m.eqc(count, 1), m.eqc(count, 2)
    to_e0 = m.and_(push, m.or_(m.eqc(count, 0), m.and_(one, pop)))
    m.assign(e0_n, m.mux(m.and_(pop, two), e1, m.mux(to_e0, word, e0)))
    to_e1 = m.and_(push, m.or_(m.and_(one, m.not_(pop)), m.and_(two, pop)))
    m.assign(e1_n, m.mux(to_e1, word, e1))
    m.assign(count_n, m.sub(m.add(count, m.zext(push, 2)), m.zext(pop, 2)))
    m.assign(y_ready, m.out_channel("y", e0, m.nez(count)))
    ports = [f"x{s}" for s in range(len(spec.source_blocks))]
    return Unit(
        name=spec.name,
        kind="view",
        text=m.text(),
        inputs=[StreamPort(p, bits) for p in ports],
        outputs=[StreamPort("y", bits)],
        operand_ports=ports,
        memories=mems,
        ideal_cycles=sum(spec.source_blocks) + n_out,
        channels_in=list(m.input_channels),
        channels_out=list(m.output_channels),
        info={"reorder": True, "patterns": len(spec.patterns),
              "table_bits": n_out * entry_w if n_out > 1 else 0},
    )


# ------------------------------------------------------------------------- reblock
@dataclass(frozen=True)
class ReblockSpec:
    name: str
    sources: tuple[tuple[Format, int], ...]  # (format, blocks) per source
    out: Format
    table: StreamTable


@dataclass(frozen=True)
class _TwoLevel:
    blocks: list[tuple[int, int, int]]  # per output block: (source block, position, pattern)
    patterns: list[tuple[tuple[int, int, int, int], ...]]  # per element: (src, dblk, dpos, neg)
    offset_bits: tuple[int, int]  # signed widths of dblk and dpos


def _two_level(t: StreamTable, b: int) -> _TwoLevel:
    """The element table as per-block locations and the distinct per-element offsets."""
    n = len(t.source) // b
    blk, pos = t.block.reshape(n, b), t.position.reshape(n, b)
    dblk, dpos = blk - blk[:, :1], pos - pos[:, :1]
    src, neg = t.source.reshape(n, b), t.negate.reshape(n, b)
    ids: dict[tuple, int] = {}
    blocks = []
    for k in range(n):
        key = tuple(zip(src[k].tolist(), dblk[k].tolist(), dpos[k].tolist(),
                        neg[k].astype(int).tolist(), strict=True))
        blocks.append((int(blk[k, 0]), int(pos[k, 0]), ids.setdefault(key, len(ids))))
    widths = (signed_bits(int(dblk.min()), int(dblk.max())),
              signed_bits(int(dpos.min()), int(dpos.max())))
    return _TwoLevel(blocks, list(ids), widths)


def build_reblock(spec: ReblockSpec, subs: SubModules) -> Unit:
    for role, fmt in [*((f"source #{s}", f) for s, (f, _) in enumerate(spec.sources)),
                      ("output", spec.out)]:
        if not fmt.is_int:
            raise RtlError(f"{spec.name}: the hardware implements MXInt formats only; "
                           f"the {role} is {fmt}")
    m = ModuleBuilder(spec.name)
    mems: list[Memory] = []
    t = spec.table
    n_el = len(t.source)
    bo = spec.out.block_size
    aw = clog2(max(n for _, n in spec.sources))
    sw = clog2(len(spec.sources))
    pw = clog2(max(f.block_size for f, _ in spec.sources))
    buf = _buffers(m, subs, mems, [(n, BlockLayout(f).bits) for f, n in spec.sources], aw)

    # One element per cycle, a block quantizer credit held from a block's first element.
    credits, credits_n = m.state(2, reset=2, hint="credits")
    release = m.wire(1, "release")
    step = m.wire(1, "step")
    out_idx, out_last = counter(m, bo, step, hint="out_idx")
    n_blocks = n_el // bo
    ob, ob_last = counter(m, n_blocks, m.and_(step, out_last), hint="out_blk")
    starts = m.eqc(out_idx, 0) if bo > 1 else m.const(1, 1)
    credit_ok = m.or_(m.not_(starts), m.or_(m.nez(credits), release), hint="credit_ok")
    readable = m.wire(1, "readable_el")
    m.assign(step, m.and_(readable, credit_ok))
    acquire = m.and_(step, starts)
    m.assign(credits_n, m.sub(m.add(credits, m.zext(release, 2)), m.zext(acquire, 2)))
    m.assign(buf.done, m.and_(step, m.and_(ob_last, out_last)))

    # The map in two tables: per output block the location of its first element and a
    # pattern; per pattern and element the source, the offsets from that location and the
    # negation (a transposition's blocks share one pattern).
    tab = _two_level(t, bo)
    bw, ow = tab.offset_bits
    pat_w = clog2(len(tab.patterns))
    e1 = rom(m, [(blk << (pw + pat_w)) | (pos << pat_w) | pat for blk, pos, pat in tab.blocks],
             aw + pw + pat_w, ob, "map_blk")
    e2_w = sw + bw + ow + 1
    items = [(src << (bw + ow + 1)) | ((db & ((1 << bw) - 1)) << (ow + 1))
             | ((dp & ((1 << ow) - 1)) << 1) | neg
             for pattern in tab.patterns for src, db, dp, neg in pattern]
    iw = clog2(len(items))
    pat = m.uresize(m.extract(e1, 0, pat_w), iw)
    index = m.add(m.mul(pat, m.const(bo, iw)), m.uresize(out_idx, iw), hint="map_index")
    e2 = rom(m, items, e2_w, index, "map_el")
    aw1, pw1 = max(aw, bw) + 1, max(pw, ow) + 1
    blk = m.add(m.zext(m.extract(e1, pw + pat_w, aw), aw1),
                m.sext(m.extract(e2, ow + 1, bw), aw1), hint="src_blk")
    pos = m.add(m.zext(m.extract(e1, pat_w, pw), pw1),
                m.sext(m.extract(e2, 1, ow), pw1), hint="src_pos")
    m.assign(buf.raddr, m.uresize(blk, aw))
    src0 = m.extract(e2, bw + ow + 1, sw) if len(spec.sources) > 1 else None
    m.assign(readable, buf.available(m, src0, buf.raddr, m.and_(ob_last, out_last)))
    src1 = m.reg(src0, hint="src1") if src0 is not None else None
    pos1 = m.reg(m.uresize(pos, pw), hint="pos1")
    neg1 = m.reg(m.bit(e2, 0), hint="neg1")
    v1 = m.reg(step, reset=0, hint="v1")

    # The element and its exponent (scale + element LSB), per source, then selected.
    lsbs = [-(f.element_bits - 2) for f, _ in spec.sources]
    e_lo = min(f.scale_min + lsb for (f, _), lsb in zip(spec.sources, lsbs, strict=True))
    e_hi = max(f.scale_max + lsb for (f, _), lsb in zip(spec.sources, lsbs, strict=True))
    we = signed_bits(e_lo - 1, e_hi + 1)
    wv = max(f.element_bits for f, _ in spec.sources) + 1
    values, exps = [], []
    for (fmt, _), lsb, word in zip(spec.sources, lsbs, buf.read, strict=True):
        layout = BlockLayout(fmt)
        code = layout.element(m, word, 0)
        for i in range(1, fmt.block_size):
            code = m.mux(m.eqc(pos1, i), layout.element(m, word, i), code, hint="elem")
        values.append(m.sext(code, wv))
        ws = max(we, signed_bits(-fmt.scale_bias - 1, (1 << fmt.scale_bits)))
        s = layout.scale_exponent(m, word, ws)
        exps.append(m.sresize(m.add(s, m.const(lsb, ws)), we))
    value = _select(m, values, src1, "value")
    value = m.mux(neg1, m.neg(value), value, hint="signed")
    e = _select(m, exps, src1, "exp")
    y_ready = m.wire(1, "y_ready_in")
    q = block_quantizer(m, subs, mems, valid=v1, v=value, e=e, out=spec.out, ready=y_ready,
                        e_range=(e_lo, e_hi), name="oq")
    m.assign(release, q.release)
    m.assign(y_ready, m.out_channel("y", q.word, q.valid))
    ports = [f"x{s}" for s in range(len(spec.sources))]
    return Unit(
        name=spec.name,
        kind="reblock",
        text=m.text(),
        inputs=[StreamPort(p, BlockLayout(f).bits) for p, (f, _) in
                zip(ports, spec.sources, strict=True)],
        outputs=[StreamPort("y", BlockLayout(spec.out).bits)],
        operand_ports=ports,
        memories=mems,
        ideal_cycles=sum(n for _, n in spec.sources) + n_el,
        channels_in=list(m.input_channels),
        channels_out=list(m.output_channels),
        info={"elements_per_cycle": 1,
              "table_bits": len(tab.blocks) * (aw + pw + pat_w) + len(items) * e2_w},
    )


# ------------------------------------------------------------------------ builders
def _table(op: OpView) -> StreamTable:
    table = op.attributes.get("stream_table")
    if not isinstance(table, StreamTable):
        raise RtlError(f"{op.unit_name}: {op.kind} without its stream table")
    return table


def _blocks(v) -> int:
    return v.elements // v.fmt.block_size


def _view(op: OpView, subs: SubModules) -> Unit:
    spec = view_spec(op.unit_name, op.result.fmt, [_blocks(v) for v in op.operands],
                     _table(op))
    return build_view(spec, subs)


def _reblock(op: OpView, subs: SubModules) -> Unit:
    spec = ReblockSpec(op.unit_name, tuple((v.fmt, _blocks(v)) for v in op.operands),
                       op.result.fmt, _table(op))
    return build_reblock(spec, subs)


def populate(registry: dict) -> None:
    registry["mxhw.view"] = _view
    registry["mxhw.reblock"] = _reblock
