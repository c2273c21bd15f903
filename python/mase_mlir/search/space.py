"""The search space: which formats each op's operands may take.

A space file mirrors a precision config, with lists of candidate formats instead of one
format (docs/search.md)::

    {"default": {"input": ["mxint8", "mxint<6,8,32>"], "weight": ["mxint<4,8,32>", "mxint8"]},
     "ops": {"*.embeddings.*": {"weight": ["mxint<2,8,32>", "mxint<4,8,32>"]},
             "*.output.dense": {"input": ["mxint8"], "group": "glob"}},
     "group": "op"}

``default`` applies to every compute op, ``ops`` maps op-name globs (fnmatch) to roles;
later entries override earlier ones, role by role. A candidate is a format spelling or
``f32``; a single string is a fixed choice. An entry may name only a ``group``: it then
groups the ops it matches, whose candidates come from earlier entries. ``group`` says how
many choices an entry makes:
``op`` (each op it decides chooses on its own, the default) or ``glob`` (one choice shared by
every op the entry decides). Candidates that cannot apply to an operand (its blocked
dimension is not a multiple of the block size, so the pass would leave it f32) are dropped
for that operand; an operand with one candidate left is fixed.

:class:`Space` resolves a space against a module: its parameters (name -> choices) and the
precision config of any choice of values (:meth:`Space.config`), which
``mase_mlir.passes.assign_precision`` / ``mase run --config`` accept.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..fixed_calibration import symbolic_width
from ..numerics import Format

__all__ = ["ROLES", "Parameter", "Space", "SpaceError", "canonical_format", "format_bits",
           "load_space"]

ROLES = ("input", "weight", "bias", "output")
GROUPS = ("op", "glob")
F32 = "f32"


class SpaceError(ValueError):
    """A malformed search space (the message names the file and the entry)."""


def canonical_format(text: Any, where: str = "") -> str:
    """The canonical spelling of a candidate format (``f32`` for unquantized, ``fixedW``
    for the per-tensor calibrated fixed-point baseline)."""
    if not isinstance(text, str):
        raise SpaceError(f"{where}: a format must be a string, got {json.dumps(text)}")
    try:
        if symbolic_width(text) is not None:
            return text.strip()
        fmt = Format.parse_or_none(text)
    except ValueError as err:
        raise SpaceError(f"{where}: {err}") from None
    return F32 if fmt is None else str(fmt)


def format_bits(spelling: str) -> float:
    """Bits per value of a candidate (shared exponents included; ``f32`` is 32)."""
    width = symbolic_width(spelling)
    if width is not None:
        return float(width)
    fmt = Format.parse_or_none(spelling)
    return 32.0 if fmt is None else float(fmt.bits_per_value)


@dataclass(frozen=True)
class _Entry:
    glob: str | None  # None: the default entry
    roles: dict[str, tuple[str, ...]]
    group: str
    sets_group: bool = False  # the entry names its group (it may name no role at all)


def _entry(where: str, body: Any, glob: str | None, group: str) -> _Entry:
    if not isinstance(body, dict):
        raise SpaceError(f"{where}: expected an object mapping roles to format lists")
    roles: dict[str, tuple[str, ...]] = {}
    sets_group = "group" in body
    for role, value in body.items():
        if role == "group":
            if value not in GROUPS:
                raise SpaceError(f"{where}: 'group' must be one of {', '.join(GROUPS)}, "
                                 f"got {json.dumps(value)}")
            group = value
            continue
        if role not in ROLES:
            raise SpaceError(f"{where}: unknown role {role!r}; expected one of "
                             f"{', '.join(ROLES)} (or 'group')")
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not values:
            raise SpaceError(f"{where}.{role}: expected a format or a non-empty list of formats")
        formats = [canonical_format(v, f"{where}.{role}") for v in values]
        roles[role] = tuple(dict.fromkeys(formats))  # duplicates dropped, order kept
    return _Entry(glob, roles, group, sets_group)


def parse_space(data: Any, source: str = "<space>") -> list[_Entry]:
    """The entries of a space (default first, then ``ops`` in file order)."""
    if not isinstance(data, dict):
        raise SpaceError(f"{source}: a search space must be a JSON object")
    unknown = sorted(set(data) - {"default", "ops", "group"})
    if unknown:
        raise SpaceError(f"{source}: unknown key(s) {', '.join(map(repr, unknown))}; "
                         "expected 'default', 'ops', 'group'")
    group = data.get("group", "op")
    if group not in GROUPS:
        raise SpaceError(f"{source}: 'group' must be one of {', '.join(GROUPS)}, "
                         f"got {json.dumps(group)}")
    entries = [_entry(f"{source}: default", data.get("default", {}), None, group)]
    ops = data.get("ops", {})
    if not isinstance(ops, dict):
        raise SpaceError(f"{source}: 'ops' must map op-name globs to roles")
    for glob, body in ops.items():
        entries.append(_entry(f"{source}: ops[{glob!r}]", body, glob, group))
    if not any(e.roles for e in entries):
        raise SpaceError(f"{source}: the space sets no role at all")
    return entries


def load_space(path: str | Path) -> tuple[dict, str]:
    """The JSON of a space file and its name for messages (clear errors for bad files)."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as err:
        raise SpaceError(f"cannot read search space {path}: {err.strerror or err}") from None
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as err:
        raise SpaceError(f"{path}:{err.lineno}:{err.colno}: malformed JSON: {err.msg}") from None
    except SpaceError as err:
        raise SpaceError(f"{path}: {err}") from None
    return data, str(path)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict:
    keys = [k for k, _ in pairs]
    twice = sorted(k for k, n in Counter(keys).items() if n > 1)
    if twice:
        raise SpaceError(f"duplicate key(s) {', '.join(map(repr, twice))}")
    return dict(pairs)


@dataclass(frozen=True)
class Parameter:
    """One choice the search makes: ``name`` is ``op:role`` or ``glob:role``."""

    name: str
    role: str
    choices: tuple[str, ...]
    ops: tuple[str, ...]  # the ops whose ``role`` this parameter decides


def _escape(name: str) -> str:
    """A glob that matches exactly ``name`` (llvm::GlobPattern metacharacters escaped)."""
    return "".join("\\" + c if c in "\\*?[]{}" else c for c in name)


class Space:
    """A space resolved against a module's compute ops.

    ``ops`` maps op name -> roles it has; ``applicable(role, fmt)`` -> the op names whose
    ``role`` operand can take ``fmt`` (as the pass decides it). Both come from the module
    (see :func:`mase_mlir.search.evaluate.probe_ops`).
    """

    def __init__(self, entries: list[_Entry], ops: dict[str, tuple[str, ...]],
                 applicable: Any, source: str = "<space>") -> None:
        self.source = source
        self.ops = ops
        fixed: dict[str, dict[str, str]] = {name: {} for name in ops}
        groups: dict[tuple[str, str, str], list[str]] = {}
        candidates: dict[tuple[str, str, str], tuple[str, ...]] = {}
        matched = [False] * len(entries)
        for name, roles in ops.items():
            hits = [e.glob is None or fnmatch.fnmatchcase(name, e.glob) for e in entries]
            matched = [m or h for m, h in zip(matched, hits, strict=True)]
            for role in roles:
                deciding = [e for e, h in zip(entries, hits, strict=True) if h and role in e.roles]
                if not deciding:
                    continue  # the role stays f32 (not in the space)
                entry = deciding[-1]  # later entries override earlier ones
                # The group: the last matching entry that decides the role or names a group.
                grouping = [e for e, h in zip(entries, hits, strict=True)
                            if h and (role in e.roles or e.sets_group)][-1]
                shared = grouping.group == "glob" and grouping.glob is not None
                key = ("glob", grouping.glob, role) if shared else ("op", name, role)
                if key in candidates and candidates[key] != entry.roles[role]:
                    raise SpaceError(f"{source}: ops[{grouping.glob!r}] shares one choice of "
                                     f"'{role}' between ops with different candidates "
                                     f"(e.g. {groups[key][0]!r} and {name!r})")
                groups.setdefault(key, []).append(name)
                candidates[key] = entry.roles[role]
        for entry, hit in zip(entries, matched, strict=True):
            if entry.glob is not None and not hit:
                raise SpaceError(f"{source}: ops[{entry.glob!r}] matches no op of the model")
        self.parameters: list[Parameter] = []
        for key, names in groups.items():
            _, label, role = key
            # A format that applies to none of the parameter's ops would leave them f32.
            usable = tuple(f for f in candidates[key]
                           if f == F32 or not set(names).isdisjoint(applicable(role, f)))
            if len(usable) == 1:
                for name in names:
                    fixed[name][role] = usable[0]
            elif usable:
                self.parameters.append(Parameter(f"{label}:{role}", role, usable, tuple(names)))
        self.fixed = fixed

    @property
    def size(self) -> float:
        """Number of distinct configurations."""
        n = 1.0
        for p in self.parameters:
            n *= len(p.choices)
        return n

    def digest(self) -> str:
        """Identifies the resolved space (parameters, choices and fixed formats)."""
        data = [[p.name, list(p.choices), list(p.ops)] for p in self.parameters]
        blob = json.dumps([data, self.fixed], sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]

    def assignment(self, values: dict[str, str]) -> dict[str, dict[str, str]]:
        """Op name -> role -> format for parameter values (missing roles are f32)."""
        out = {name: {role: F32 for role in roles} for name, roles in self.ops.items()}
        for name, roles in self.fixed.items():
            out[name].update(roles)
        for p in self.parameters:
            choice = values[p.name]
            if choice not in p.choices:
                raise SpaceError(f"{p.name}: {choice!r} is not one of {', '.join(p.choices)}")
            for name in p.ops:
                out[name][p.role] = choice
        return out

    def config(self, values: dict[str, str]) -> dict:
        """The precision config of ``values``: per role the most common format as the
        default, then exact-name entries for the ops that differ."""
        return config_of(self.assignment(values))

    def ranked(self) -> list[dict[str, str]]:
        """The uniform starting points: every parameter at its k-th candidate (its last
        one when it has fewer), for k = 0, 1, ...; a space lists candidates from the most
        to the least precise, so these run from high precision to low."""
        longest = max((len(p.choices) for p in self.parameters), default=0)
        return [{p.name: p.choices[min(k, len(p.choices) - 1)] for p in self.parameters}
                for k in range(longest)]

    def nearest(self, formats: dict[str, str]) -> dict[str, str]:
        """Parameter values as close as the space allows to giving every parameter of role
        r ``formats[r]``: that format when it is a choice, else the choice nearest to it in
        bits per value (the more precise one on a tie). Roles not in ``formats`` take their
        first (most precise) choice."""
        values = {}
        for p in self.parameters:
            want = formats.get(p.role)
            if want is None:
                values[p.name] = p.choices[0]
            elif want in p.choices:
                values[p.name] = want
            else:
                target = format_bits(want)
                values[p.name] = min(p.choices, key=lambda c: (abs(format_bits(c) - target),
                                                               -format_bits(c)))
        return values

    def cheaper(self, values: dict[str, str], role: str) -> dict[str, str] | None:
        """``values`` with every parameter of ``role`` one choice cheaper (the choice with the
        most bits below the current one's; parameters with none keep theirs), or None when
        no parameter of ``role`` can go lower."""
        out, moved = dict(values), False
        for p in self.parameters:
            if p.role != role:
                continue
            bits = format_bits(values[p.name])
            lower = [c for c in p.choices if format_bits(c) < bits]
            if lower:
                out[p.name] = max(lower, key=lambda c: (format_bits(c), -p.choices.index(c)))
                moved = True
        return out if moved else None

    def starts(self, baselines: list[dict[str, str]]) -> list[dict[str, str]]:
        """Warm-start points, without repeats: each baseline's nearest point, then that point
        with its weights and then its inputs one choice cheaper, then :meth:`ranked`."""
        points: list[dict[str, str]] = []
        for formats in baselines:
            near = self.nearest(formats)
            points.append(near)
            points += [v for role in ("weight", "input")
                       if (v := self.cheaper(near, role)) is not None]
        points += self.ranked()
        seen: set[str] = set()
        unique = []
        for values in points:
            key = json.dumps(values, sort_keys=True)
            if key not in seen:
                seen.add(key)
                unique.append(values)
        return unique

    def uniform(self, formats: dict[str, str]) -> dict[str, str] | None:
        """Parameter values giving every parameter of role r ``formats[r]``, when the space
        allows it (None otherwise)."""
        values = {}
        for p in self.parameters:
            want = formats.get(p.role, F32)
            if want not in p.choices:
                return None
            values[p.name] = want
        return values


def config_of(assignment: dict[str, dict[str, str]]) -> dict:
    """A compact precision config equal to an op -> role -> format assignment."""
    default: dict[str, str] = {}
    for role in ROLES:
        counts = Counter(roles[role] for roles in assignment.values() if role in roles)
        if counts:
            # Most common first; ties broken by spelling so the result is deterministic.
            default[role] = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    ops: dict[str, dict[str, str]] = {}
    for name, roles in assignment.items():
        differs = {r: f for r, f in roles.items() if f != default[r]}
        if differs:
            ops[_escape(name)] = differs
    config: dict[str, Any] = {"default": default}
    if ops:
        config["ops"] = ops
    return config
