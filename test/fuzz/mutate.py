"""Mutations of MLIR text: token-level and structural.

Token mutations change one token of the text (a number, an element type, a shape, an MX
format, an op name, an SSA value, an attribute, a string) or delete, duplicate or swap
tokens; structural ones delete, duplicate, swap or move whole ops (lines), splice in a line
of another corpus file, or truncate the text. Every choice comes from one ``random.Random``,
so a mutant is reproducible from the seed.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

# One MLIR token: a string, a hex or decimal number, an SSA/symbol/attribute/type name, a
# keyword, or one character of punctuation. Whitespace and comments separate tokens.
TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|0x[0-9a-fA-F]+|[-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?'
                   r'|[%@#!^][\w.$-]*|[A-Za-z_][\w.$]*|->|\S')
NUMBER = re.compile(r"[-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?$")
SHAPED = re.compile(r"(tensor|vector|memref|!mx\.tensor)<([^<>]*(?:<[^<>]*>[^<>]*)*)>")
DIMS = re.compile(r"^((?:[?\d]+x)*)")
OP_LINE = re.compile(r"^\s*%[\w.$-]+(?:\s*,\s*%[\w.$-]+)*\s*=\s*\S")
FORMAT = re.compile(r"mx(?:int|fp)<[^>]*>|mxfp\d_e\dm\d|mxint8")

ELEMENT_TYPES = ["f32", "f16", "bf16", "f64", "i1", "i4", "i8", "i16", "i32", "i64", "index",
                 "ui4", "ui8", "ui16", "si8", "none", "complex<f32>", "f8E4M3FN"]
INTERESTING = ["0", "1", "-1", "2", "3", "7", "8", "15", "16", "17", "31", "32", "33", "63",
               "64", "127", "128", "255", "256", "65535", "65536", "2147483647", "2147483648",
               "4294967295", "4294967296", "9223372036854775807", "-9223372036854775808",
               "18446744073709551616", "1.5", "-0.0", "0.5", "1e39", "1e-45", "1.0e308", "nan",
               "0x7FC00000", "0xFF"]
FORMATS = ["mxint8", "mxfp8_e4m3", "mxfp8_e5m2", "mxfp6_e3m2", "mxfp6_e2m3", "mxfp4_e2m1",
           "mxint<4,8,16>", "mxint<6,8,32>", "mxint<2,1,1>", "mxint<16,8,4096>",
           "mxfp<e4m3,1,1>", "mxint<0,8,32>", "mxint<17,8,32>", "mxint<8,9,32>",
           "mxint<8,0,32>", "mxint<8,8,0>", "mxint<8,8,4294967295>", "mxfp<e9m9,8,32>",
           "mxint<-1,8,32>", "mxint<8,8>", "mxint<a,b,c>", "mxfp<e2m1,8,3>"]
ATTRIBUTES = ["axis = 0 : i64", "axis = -1 : i64", "axis = 99 : i64", "eps = 0.0 : f64",
              "normalized_rank = 0 : i64", "normalized_rank = 9 : i64", "keep_dims = false",
              'approximate = "none"', 'approximate = "fast"', 'predicate = "lt"',
              'predicate = "xx"', "axes = array<i64: 0>", "axes = array<i64: 0, 0>",
              "axes = array<i64: 7>", "permutation = array<i64: 1, 0>",
              "permutation = array<i64: 0, 0>", "offsets = array<i64: 0, 0>",
              "sizes = array<i64: 1, 1>", "strides = array<i64: 1, 1>",
              "mx.kernel_loop", 'name = "x.y"', "rounding = #mx.rounding<nearest>",
              "acc = #mx.acc<exact>", "acc = #mx.acc<bounded<0>>",
              "acc = #mx.acc<bounded<4294967295>>", "mx.layer_names = [\"a\", \"b\"]"]


class Donors:
    """What splicing and op renaming draw from: the op lines and op names of the corpus."""

    def __init__(self, texts: list[str]) -> None:
        self.lines = [line for text in texts for line in text.splitlines()
                      if OP_LINE.match(line)]
        names = {m for text in texts
                 for m in re.findall(r"\b((?:mx|arith|scf|func)\.[a-z_]+)", text)}
        self.op_names = sorted(names) or ["mx.add"]


class Mutator:
    """Mutates MLIR text with one ``random.Random``, splicing from ``donors``."""

    def __init__(self, rng: random.Random, donors: Donors) -> None:
        self.rng = rng
        self.donor_lines = donors.lines
        self.op_names = donors.op_names
        self.operators: list[tuple[str, Callable[[str], str | None]]] = [
            ("token-delete", self.token_delete),
            ("token-duplicate", self.token_duplicate),
            ("token-swap", self.token_swap),
            ("number", self.number),
            ("element-type", self.element_type),
            ("shape", self.shape),
            ("format", self.mx_format),
            ("op-name", self.op_name),
            ("ssa-value", self.ssa_value),
            ("attribute", self.attribute),
            ("string", self.string),
            ("line-delete", self.line_delete),
            ("line-duplicate", self.line_duplicate),
            ("line-swap", self.line_swap),
            ("line-move", self.line_move),
            ("splice", self.splice),
            ("truncate", self.truncate),
        ]
        # Mutations that usually keep the text parseable come up twice as often, so that
        # more mutants get past the parser into the passes.
        keeps_syntax = {"number", "element-type", "shape", "format", "op-name", "ssa-value",
                        "attribute", "string", "line-delete", "line-duplicate"}
        self.weights = [2 if name in keeps_syntax else 1 for name, _ in self.operators]

    def mutate(self, text: str, count: int) -> tuple[str, list[str]]:
        """``count`` mutations stacked (those that do not apply are retried elsewhere)."""
        applied: list[str] = []
        for _ in range(count * 4):
            if len(applied) == count:
                break
            name, operator = self.rng.choices(self.operators, self.weights)[0]
            out = operator(text)
            if out is not None and out != text:
                text = out
                applied.append(name)
        return text, applied

    # -- helpers ---------------------------------------------------------------------
    def _tokens(self, text: str, pattern: re.Pattern | None = None) -> list[re.Match]:
        matches = list((pattern or TOKEN).finditer(text))
        return matches

    def _replace(self, text: str, match: re.Match, new: str, group: int = 0) -> str:
        return text[:match.start(group)] + new + text[match.end(group):]

    def _replace_one_or_all(self, text: str, match: re.Match, new: str, group: int = 0) -> str:
        """One occurrence (the verifiers see a mismatch) or, half of the time, every
        occurrence of the same text (the IR stays consistent and the passes see it)."""
        if self.rng.random() < 0.5:
            return self._replace(text, match, new, group)
        old = match.group(group)
        return re.sub(rf"(?<![\w.]){re.escape(old)}(?![\w])", lambda _: new, text)

    def _pick(self, items: list):
        return self.rng.choice(items) if items else None

    def _lines(self, text: str) -> list[str]:
        return text.split("\n")

    def _op_lines(self, lines: list[str]) -> list[int]:
        """Lines of ops that define values (not function headers, terminators or braces),
        or, one time in five, any line."""
        if self.rng.random() < 0.2:
            return [i for i, line in enumerate(lines)
                    if line.strip() and not line.strip().startswith("//")]
        return [i for i, line in enumerate(lines) if OP_LINE.match(line)]

    # -- token mutations ---------------------------------------------------------------
    def token_delete(self, text: str) -> str | None:
        tok = self._pick(self._tokens(text))
        return None if tok is None else self._replace(text, tok, "")

    def token_duplicate(self, text: str) -> str | None:
        tok = self._pick(self._tokens(text))
        return None if tok is None else self._replace(text, tok, tok.group() + " " + tok.group())

    def token_swap(self, text: str) -> str | None:
        toks = self._tokens(text)
        if len(toks) < 2:
            return None
        a, b = sorted(self.rng.sample(range(len(toks)), 2))
        ta, tb = toks[a], toks[b]
        return (text[:ta.start()] + tb.group() + text[ta.end():tb.start()] + ta.group()
                + text[tb.end():])

    def number(self, text: str) -> str | None:
        nums = [t for t in self._tokens(text) if NUMBER.match(t.group())]
        tok = self._pick(nums)
        if tok is None:
            return None
        if self.rng.random() < 0.3 and "." not in tok.group() and "e" not in tok.group().lower():
            new = str(int(tok.group()) + self.rng.choice((-1, 1)))
        else:
            new = self.rng.choice(INTERESTING)
        return self._replace(text, tok, new)

    def element_type(self, text: str) -> str | None:
        found = list(re.finditer(r"\b(f32|f16|bf16|f64|i1|i8|i16|i32|i64|index|ui\d+|si\d+)\b",
                                 text))
        tok = self._pick(found)
        return None if tok is None else self._replace_one_or_all(text, tok,
                                                                 self.rng.choice(ELEMENT_TYPES))

    def shape(self, text: str) -> str | None:
        shaped = self._pick(list(SHAPED.finditer(text)))
        if shaped is None:
            return None
        body = shaped.group(2)
        dims = DIMS.match(body).group(1)
        rest = body[len(dims):]
        values = [d for d in dims.split("x") if d]
        choice = self.rng.random()
        if choice < 0.4 and values:
            i = self.rng.randrange(len(values))
            values[i] = self.rng.choice(["0", "1", "2", "3", "?", "17", "32", "4096",
                                         "9223372036854775807", str(int(values[i] or 1) * 2)
                                         if values[i].isdigit() else "1"])
        elif choice < 0.7:
            values.insert(self.rng.randrange(len(values) + 1), self.rng.choice(["1", "2", "32"]))
        elif values:
            values.pop(self.rng.randrange(len(values)))
        new_body = "".join(v + "x" for v in values) + rest
        return self._replace_one_or_all(text, shaped, new_body, group=2)

    def mx_format(self, text: str) -> str | None:
        tok = self._pick(list(FORMAT.finditer(text)))
        return None if tok is None else self._replace_one_or_all(text, tok,
                                                                 self.rng.choice(FORMATS))

    def op_name(self, text: str) -> str | None:
        found = list(re.finditer(r"\b(mx\.[a-z_]+|arith\.[a-z_]+)\b", text))
        tok = self._pick(found)
        return None if tok is None else self._replace(text, tok, self.rng.choice(self.op_names))

    def ssa_value(self, text: str) -> str | None:
        uses = list(re.finditer(r"%[\w.$-]+", text))
        if len(uses) < 2:
            return None
        tok = self.rng.choice(uses)
        other = self.rng.choice(uses).group()
        return self._replace(text, tok, other)

    def attribute(self, text: str) -> str | None:
        dicts = list(re.finditer(r"\{([^{}\n]*)\}", text))
        found = self._pick(dicts)
        if found is None:
            return None
        entries = [e for e in found.group(1).split(", ") if e]
        choice = self.rng.random()
        if choice < 0.4 and entries:
            entries.pop(self.rng.randrange(len(entries)))
        elif choice < 0.8:
            entries.insert(self.rng.randrange(len(entries) + 1), self.rng.choice(ATTRIBUTES))
        elif entries:
            i = self.rng.randrange(len(entries))
            key = entries[i].split(" = ")[0]
            entries[i] = f"{key} = {self.rng.choice(['0', '-1', 'true', '\"\"', 'unit'])}"
        return self._replace(text, found, ", ".join(entries), group=1)

    def string(self, text: str) -> str | None:
        strings = [t for t in self._tokens(text) if t.group().startswith('"')]
        tok = self._pick(strings)
        if tok is None:
            return None
        body = tok.group()[1:-1]
        choice = self.rng.random()
        if choice < 0.3:
            new = ""
        elif choice < 0.6 and body:
            cut = self.rng.randrange(len(body))
            new = body[:cut] + body[cut + 1:]
        else:
            new = body + self.rng.choice(["0", "x", "\\22", "*", ".", "\\00"])
        return self._replace(text, tok, f'"{new}"')

    # -- structural mutations ----------------------------------------------------------
    def line_delete(self, text: str) -> str | None:
        """Delete an op; most of the time its uses read its first operand instead."""
        lines = self._lines(text)
        i = self._pick(self._op_lines(lines))
        if i is None:
            return None
        line = lines.pop(i)
        out = "\n".join(lines)
        defined = re.match(r"\s*(%[\w.$-]+)\s*=\s*[\w.\"]+\s+(%[\w.$-]+)", line)
        if defined and self.rng.random() < 0.75:
            out = re.sub(rf"{re.escape(defined[1])}(?![\w.$-])", defined[2], out)
        return out

    def line_duplicate(self, text: str) -> str | None:
        """Duplicate an op; its copy usually defines fresh names (an unused op)."""
        lines = self._lines(text)
        i = self._pick(self._op_lines(lines))
        if i is None:
            return None
        copy = lines[i]
        if self.rng.random() < 0.75 and " = " in copy:
            lhs, _, rhs = copy.partition(" = ")
            copy = re.sub(r"%([\w.$-]+)", r"%\1_dup", lhs) + " = " + rhs
        return "\n".join(lines[:i + 1] + [copy] + lines[i + 1:])

    def line_swap(self, text: str) -> str | None:
        lines = self._lines(text)
        candidates = self._op_lines(lines)
        if len(candidates) < 2:
            return None
        a, b = self.rng.sample(candidates, 2)
        lines[a], lines[b] = lines[b], lines[a]
        return "\n".join(lines)

    def line_move(self, text: str) -> str | None:
        lines = self._lines(text)
        candidates = self._op_lines(lines)
        if len(candidates) < 2:
            return None
        line = lines.pop(self.rng.choice(candidates))
        lines.insert(self.rng.randrange(len(lines) + 1), line)
        return "\n".join(lines)

    def splice(self, text: str) -> str | None:
        if not self.donor_lines:
            return None
        lines = self._lines(text)
        lines.insert(self.rng.randrange(len(lines) + 1), self.rng.choice(self.donor_lines))
        return "\n".join(lines)

    def truncate(self, text: str) -> str | None:
        if len(text) < 2:
            return None
        return text[:self.rng.randrange(1, len(text))]


VALID_FORMATS = FORMATS[:8]
ROLES = ["input", "weight", "bias", "output"]


def make_config(rng: random.Random, text: str) -> dict:
    """A precision config for ``text``: random default formats and a few entries whose globs
    name ops of the text (so that they match)."""
    names = re.findall(r'name = "([^"]+)"', text)
    config: dict = {"default": {role: rng.choice(VALID_FORMATS + ["f32"])
                                for role in rng.sample(ROLES, rng.randrange(1, 5))}}
    if rng.random() < 0.2:
        config["default"]["accumulator"] = rng.choice(["exact", "bounded<2>", "bounded<0>"])
    ops = {}
    for _ in range(rng.randrange(4) if names else 0):
        name = rng.choice(names)
        glob = name if rng.random() < 0.5 else name.rsplit(".", 1)[0] + ".*"
        ops[glob] = {rng.choice(ROLES[:1] + ROLES[3:]): rng.choice(VALID_FORMATS)}
    if ops:
        config["ops"] = ops
    return config


def mutate_config(rng: random.Random, config: object) -> str:
    """A precision config (parsed JSON) mutated and printed; sometimes not valid JSON at all."""
    import json

    def walk(value: object) -> object:
        if isinstance(value, dict):
            items = list(value.items())
            if items and rng.random() < 0.2:
                items.pop(rng.randrange(len(items)))
            if rng.random() < 0.15:
                items.append((rng.choice(["input", "weight", "bias", "output", "accumulator",
                                          "wieght", "default", "ops", "*"]),
                              rng.choice(FORMATS + ["f32", 3, None, [], {}])))
            return {k: walk(v) for k, v in items}
        if isinstance(value, str) and rng.random() < 0.3:
            return rng.choice(FORMATS + ["f32", "exact", "bounded<2>", "bounded<99>", "",
                                         "*.mlp.*", "[", "\\"])
        return value

    text = json.dumps(walk(config))
    choice = rng.random()
    if choice < 0.1:
        text = text[:rng.randrange(1, max(2, len(text)))]
    elif choice < 0.2 and text.startswith("{") and len(text) > 2:
        # a key given twice
        first = text[1:].split(",")[0].rstrip("}")
        text = "{" + first + ", " + text[1:]
    return text
