"""Imports of the project's own modules sit at the top of a module, or inside a function
with the reason written beside them; and the reasons hold: each of these entry points loads
neither torch nor the project's MLIR bindings (docs/layout.md)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: The code whose local imports need a reason: the package and the benchmarks.
CHECKED = (ROOT / "python" / "mase_mlir", ROOT / "bench")

HEAVY = ("torch", "mase_mlir.ir", "mase_mlir.dialects.mx")
PROBE = ("import sys\n{setup}\n"
         "print(','.join(m for m in {heavy!r} if m in sys.modules))\n")


def loaded(setup: str) -> list[str]:
    """The heavy modules a fresh interpreter holds after running ``setup``."""
    proc = subprocess.run([sys.executable, "-c", PROBE.format(setup=setup, heavy=HEAVY)],
                          capture_output=True, text=True, timeout=120, check=True)
    return [m for m in proc.stdout.splitlines()[-1].split(",") if m]


@pytest.mark.parametrize("setup", [
    # `mase --help` is instant: the commands import their modules when they run.
    "from mase_mlir.cli.main import main\n"
    "try:\n    main(['--help'])\nexcept SystemExit:\n    pass",
    # The numerics load the bindings on first use of a format.
    "import mase_mlir.numerics",
    # The CIRCT stage's child process imports the backend package.
    "import mase_mlir.backend.circt_stage",
])
def test_entry_point_stays_light(setup: str) -> None:
    assert loaded(setup) == []


def test_probe_sees_the_bindings() -> None:
    """The probe itself can fail: a format's first use loads the bindings."""
    assert "mase_mlir.dialects.mx" in loaded(
        "from mase_mlir.numerics import Format\nFormat.parse('mxint8')")


def _own(node: ast.Import | ast.ImportFrom) -> bool:
    """Whether an import statement names a module of the project."""
    if isinstance(node, ast.ImportFrom):
        return node.level > 0 or (node.module or "").split(".")[0] == "mase_mlir"
    return any(alias.name.split(".")[0] == "mase_mlir" for alias in node.names)


def unexplained_local_imports(source: str) -> list[int]:
    """Lines of imports of the project's modules inside a function without a reason: a
    comment on a line of the run of consecutive imports they belong to, or on the line
    just before it."""
    lines = source.splitlines()
    found: set[int] = set()
    for fn in ast.walk(ast.parse(source)):
        if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(fn):
            for name in ("body", "orelse", "finalbody"):
                stmts = getattr(node, name, None)
                if not isinstance(stmts, list):
                    continue  # a lambda's or an expression's body
                run: list[ast.stmt] = []
                for stmt in [*stmts, None]:
                    if isinstance(stmt, ast.Import | ast.ImportFrom):
                        run.append(stmt)
                        continue
                    if any(_own(s) for s in run):
                        first, last = run[0].lineno, run[-1].end_lineno or run[-1].lineno
                        if not any("#" in line for line in lines[max(first - 2, 0):last]):
                            found.add(first)
                    run = []
    return sorted(found)


def test_local_imports_say_why() -> None:
    bad = [f"{path.relative_to(ROOT)}:{line}"
           for root in CHECKED for path in sorted(root.rglob("*.py"))
           for line in unexplained_local_imports(path.read_text(encoding="utf-8"))]
    assert bad == [], "imports of mase_mlir inside functions need a reason beside them"


@pytest.mark.parametrize(("source", "flagged"), [
    ("def f():\n    from . import ir\n    return ir\n", [2]),
    ("def f():\n    from mase_mlir import ir\n", [2]),
    ("def f():\n    if x:\n        import mase_mlir.ir\n", [3]),
    ("def f():\n    # the bindings load late\n    from . import ir\n    from . import x\n", []),
    ("def f():\n    from . import ir  # late\n", []),
    ("def f():\n    import json\n", []),
    ("from . import ir\n", []),
])
def test_the_rule_can_fail(source: str, flagged: list[int]) -> None:
    assert unexplained_local_imports(source) == flagged
