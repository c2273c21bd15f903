"""The reasons written beside the imports that stay inside functions hold: each of these
entry points loads neither torch nor the project's MLIR bindings (docs/layout.md)."""

from __future__ import annotations

import subprocess
import sys

import pytest

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
