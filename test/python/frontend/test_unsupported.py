"""Unsupported ops: one error listing all of them with source locations; nothing written."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from mase_mlir.cli.main import main
from mase_mlir.frontend import UnsupportedOpError, import_to_text


class Unsupported(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(8, 8)

    def forward(self, x):
        y = torch.cumsum(self.proj(x), dim=-1)
        return torch.sort(y, dim=-1).values + torch.fft.rfft(x).real.sum()


def test_error_lists_every_unsupported_op():
    with pytest.raises(UnsupportedOpError) as info:
        import_to_text(Unsupported(), (torch.randn(2, 8),))
    message = str(info.value)
    for op in ("cumsum", "sort"):
        assert op in message
    assert len(info.value.ops) >= 3
    assert all(o.location.endswith(tuple(f":{n}" for n in range(1, 10000)))
               for o in info.value.ops)
    assert __file__ in message


def test_supported_gather_free_model_has_no_error():
    import_to_text(nn.Sequential(nn.Linear(4, 4), nn.ReLU()), (torch.randn(1, 4),))


FACTORY = '''
import torch
from torch import nn

class M(nn.Module):
    def forward(self, x):
        return torch.cumsum(x, dim=0)

def make():
    return M(), (torch.randn(3, 4),)
'''


def test_cli_writes_nothing_on_error(tmp_path, capsys):
    factory = tmp_path / "model.py"
    factory.write_text(FACTORY)
    out = tmp_path / "out.mlir"
    assert main(["import", f"{factory}:make", "-o", str(out), "-q"]) == 1
    assert not out.exists()
    assert "cumsum" in capsys.readouterr().err
