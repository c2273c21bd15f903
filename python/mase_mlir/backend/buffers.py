"""mase buffer placement: a pass on CIRCT handshake IR (runs in the CIRCT child).

CIRCT's ``handshake-insert-buffers`` either buffers every edge (``all``: the loop
recurrence collects ~18 cycles of latency) or puts a buffer after each loop-header
mux (``cycles``: II >= 1 + slots), and its control network waits for every memory
access of an iteration before starting the next (II >= 1 + memory latency). This
pass places buffers for a loop initiation interval of one cycle instead:

1. **Back edges.** Every loop-header ``mux`` (its select comes from the loop's
   condition buffer with an initial token) gets a one-slot sequential buffer on its
   back-edge input, the only register of each loop-carried recurrence. Every cycle
   of the graph passes through a loop header, so every cycle holds a register.
2. **Memory tokens.** The control token of the next iteration no longer waits for
   the memory ``done`` tokens of this one (``join`` operands that come from memory
   ports are dropped and sunk). Loads have no side effects; stores of one loop go
   to one port and complete in order, and a later loop's first load of the same
   memory is issued several cycles after the store (see docs/hardware.md).
3. **Slack.** A schedule at one iteration per cycle is computed (longest paths:
   buffers add their latency, a memory adds one cycle from address to data, the
   recurrence registers close their loops at distance one); wherever a token has
   to wait for its partner (a loop condition waiting for data that comes from
   memory, a store address waiting for its data), a sequential buffer with as
   many slots as cycles of wait is inserted. Edges on recurrences are tight at the
   fixpoint, so the added buffers never lengthen a loop-carried cycle.

Returns statistics (buffers inserted, tokens dropped) for the manifest.
"""

from __future__ import annotations

from typing import Any


def _op_name(value: Any) -> str | None:
    owner = value.owner
    name = getattr(owner, "name", None)
    if isinstance(name, str) and "." in name:
        return name
    op = getattr(owner, "operation", None)
    return op.name if op is not None else None


def _defining_op(value: Any) -> Any | None:
    from circt import ir

    if isinstance(value.owner, ir.Block):
        return None
    owner = value.owner
    return owner.operation if hasattr(owner, "operation") else owner


def _through_forks(value: Any) -> Any:
    while True:
        op = _defining_op(value)
        if op is None or op.name != "handshake.fork":
            return value
        value = op.operands[0]


def _is_init_buffer(value: Any) -> bool:
    op = _defining_op(_through_forks(value))
    return op is not None and op.name == "handshake.buffer" and "initValues" in op.attributes


def _is_memory_token(value: Any, start_arg: Any) -> bool:
    from circt import ir

    v = value
    op = _defining_op(v)
    if op is None:  # a function argument: memory done tokens; the start token is not one
        return isinstance(v.owner, ir.Block) and v != start_arg
    if op.name in ("handshake.memory", "handshake.extmemory"):
        return True
    if op.name == "handshake.join":
        return all(_is_memory_token(_through_forks(o), start_arg) or
                   _defining_op(o) is not None and _defining_op(o).name == "handshake.fork"
                   and _is_data_arg(_through_forks(o), start_arg)
                   for o in op.operands)
    if op.name == "handshake.fork":
        return _is_memory_token(_through_forks(v), start_arg)
    return False


def _is_data_arg(value: Any, start_arg: Any) -> bool:
    from circt import ir

    return isinstance(value.owner, ir.Block) and value != start_arg


def _buffer(value: Any, before: Any, slots: int, kind: str) -> Any:
    from circt import ir

    i32 = ir.IntegerType.get_signless(32)
    with ir.InsertionPoint(before):
        op = ir.Operation.create(
            "handshake.buffer",
            results=[value.type],
            operands=[value],
            attributes={
                "bufferType": ir.Attribute.parse(f"#handshake<buffer_type_enum {kind}>"),
                "slots": ir.IntegerAttr.get(i32, slots),
            },
        )
    return op.results[0]


def _name(op: Any) -> str:
    return op.operation.name if hasattr(op, "operation") else op.name


def _opkey(op: Any) -> Any:
    return op.operation if hasattr(op, "operation") else op


def place_buffers(module: Any, max_passes: int = 400) -> dict:
    """Run the placement on every ``handshake.func`` of ``module`` (in place)."""
    from circt import ir

    stats = {"backedge_buffers": 0, "slack_buffers": 0, "slack_slots": 0,
             "memory_tokens_dropped": 0, "converged": True}
    for fop in module.body.operations:
        if fop.operation.name != "handshake.func":
            continue
        block = fop.operation.regions[0].blocks[0]
        start_arg = block.arguments[len(block.arguments) - 1]
        cut: set = set()  # buffers that close a loop recurrence (latency - II = 0)
        for op in list(block.operations):
            name = op.operation.name
            loop_mux = name == "handshake.mux" and len(op.operands) == 3
            if loop_mux and _is_init_buffer(op.operands[0]):
                buf = _buffer(op.operands[2], op, 1, "seq")
                op.operands[2] = buf
                _mark_cut(buf.owner)
                _mark_cut(_defining_op(_through_forks(op.operands[0])))
                stats["backedge_buffers"] += 1
            elif name == "handshake.join":
                keep = [o for o in op.operands if not _is_memory_token(o, start_arg)]
                drop = len(op.operands) - len(keep)
                if drop and keep:
                    with ir.InsertionPoint(op):
                        for o in op.operands:
                            if _is_memory_token(o, start_arg):
                                ir.Operation.create("handshake.sink", operands=[o])
                        new = ir.Operation.create("handshake.join", results=[op.results[0].type],
                                                  operands=keep)
                    op.results[0].replace_all_uses_with(new.results[0])
                    op.operation.erase()
                    stats["memory_tokens_dropped"] += drop
        ok = _balance(block, cut, stats, max_passes)
        stats["converged"] = stats["converged"] and ok
    return stats


def _mark_cut(op: Any) -> None:
    from circt import ir

    (op.operation if hasattr(op, "operation") else op).attributes["mase.recurrence"] = (
        ir.UnitAttr.get())


def _relevant(op: Any) -> list[int]:
    """Operand indices whose tokens an op waits for in the steady state of a loop."""
    name = _name(op)
    n = len(op.operands)
    if name == "handshake.mux" and n == 3 and _is_init_buffer(op.operands[0]):
        return [0, 2]  # select and back edge; the entry value arrives once
    if name == "handshake.load":
        return [i for i in range(n) if i != n - 2]  # address(es) and control, not the data
    if name in ("handshake.return", "handshake.sink"):
        return []  # memory port outputs: buffering them adds memory latency
    return list(range(n))


def _balance(block: Any, cut: set, stats: dict, max_passes: int) -> bool:
    """Offsets of a schedule at one iteration per cycle; FIFO slack where tokens wait.

    Longest paths with latency 0 for combinational ops, ``slots`` for sequential
    buffers, ``slots - 1`` for the buffers that close a recurrence (distance one at
    II = 1) and one cycle from a memory address to its data. All edges on loop
    recurrences are tight at the fixpoint, so slack buffers never lengthen a cycle.
    """
    ops = list(block.operations)
    off: dict = {}
    mem_of_arg: dict = {}
    for op in ops:
        if _name(op) == "handshake.load":
            src = _through_forks(op.operands[len(op.operands) - 2])
            if _defining_op(src) is None:
                mem_of_arg[src] = op

    def get(v: Any) -> int:
        return off.get(v, 0)

    def latency(op: Any) -> int:
        if _name(op) == "handshake.buffer":
            slots = op.attributes["slots"].value
            return slots - 1 if "mase.recurrence" in op.attributes else slots
        return 0

    converged = False
    for _ in range(max_passes):
        changed = False
        for arg, ld in mem_of_arg.items():
            t = get(ld.results[1]) + 1
            if t > get(arg):
                off[arg] = t
                changed = True
        for op in ops:
            name = _name(op)
            rel = _relevant(op)
            if name == "handshake.load":
                n = len(op.operands)
                outs = [get(op.operands[n - 2]), max(get(op.operands[i]) for i in rel)]
            else:
                t = max((get(op.operands[i]) for i in rel), default=0) + latency(op)
                if name in ("handshake.memory", "handshake.extmemory"):
                    t += 1
                outs = [t] * len(op.results)
            for r, t in zip(op.results, outs, strict=True):
                if t > get(r):
                    off[r] = t
                    changed = True
        if not changed:
            converged = True
            break
    if not converged:
        return False
    for op in ops:
        name = _name(op)
        rel = _relevant(op)
        if not rel:
            continue
        need = max(get(op.operands[i]) for i in rel)
        for i in rel:
            d = need - get(op.operands[i])
            if d > 0:
                op.operands[i] = _buffer(op.operands[i], op, d, "seq")
                stats["slack_buffers"] += 1
                stats["slack_slots"] += d
    return True
