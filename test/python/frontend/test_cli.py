"""`mase import`: bundled names and file:factory specs; output parses with mase-opt."""

from __future__ import annotations

import subprocess

from helpers import mase_opt

from mase_mlir.cli.main import main

FACTORY = '''
import torch
from torch import nn

def make():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(16, 32), nn.SiLU(), nn.Linear(32, 8)), (torch.randn(2, 16),)
'''


def test_import_factory_file(tmp_path, capsys):
    factory = tmp_path / "model.py"
    factory.write_text(FACTORY)
    out = tmp_path / "model.mlir"
    assert main(["import", f"{factory}:make", "-o", str(out)]) == 0
    assert "done" in capsys.readouterr().err
    text = out.read_text()
    assert 'mx.linear' in text and 'name = "0"' in text
    result = subprocess.run([mase_opt(), str(out)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_import_bundled(tmp_path):
    out = tmp_path / "gpt2.mlir"
    assert main(["import", "gpt2-tiny", "-o", str(out), "-q"]) == 0
    assert 'name = "transformer.h.1.attn.c_attn"' in out.read_text()


def test_unknown_model(tmp_path, capsys):
    assert main(["import", "nonexistent", "-o", str(tmp_path / "x.mlir")]) == 1
    assert "unknown model" in capsys.readouterr().err
