"""The seeds the fuzzer mutates: the project's lit inputs (each ``// -----`` chunk), the
hardware benchmark models, and models imported from PyTorch (float, precision-assigned and
kernel-looped, and the hardware parts `mase compile` lowers: looped, --no-loop, --layer), plus
the precision configs of the tests and the package.

Imported models are generated once into a cache directory and regenerated when the frontend,
the bundled configs or ``mase-opt`` change.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Small imported models: (file stem, load_model spec, kwargs).
IMPORTS = [("llama-tiny", "llama-tiny", {"layers": 2}), ("opt-tiny", "opt-tiny", {"layers": 2}),
           ("gpt2-tiny", "gpt2-tiny", {"layers": 2})]
FACTORIES = '''
import torch
from torch import nn


def make_mlp():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 128), nn.GELU(), nn.LayerNorm(128), nn.Linear(128, 64),
                          nn.Softmax(dim=-1))
    return model.eval(), (torch.randn(4, 64),)


class Layer(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(64, 64)
        self.act = nn.ReLU()

    def forward(self, x):
        return x + self.act(self.fc(x))


class Stack(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList(Layer() for _ in range(3))

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


def make_stack():
    # Repeated layers of ops with hardware units: its kernel loop lowers to looped hardware.
    torch.manual_seed(0)
    return Stack().eval(), (torch.randn(4, 64),)
'''
GENERATE = '''
import json, sys
from pathlib import Path
from mase_mlir.frontend import import_to_text
from mase_mlir.frontend.models import load_model
out = Path(sys.argv[1])
for stem, spec, kwargs in json.loads(sys.argv[2]):
    model, inputs = load_model(spec, **kwargs)
    (out / f"{stem}.mlir").write_text(import_to_text(model, inputs))
'''
# Each model under a config whose every operand is MX (what the hardware takes), as is and
# kernel-looped; and the hardware part `mase compile` hands convert-mx-to-mxhw (after
# mx-hw-outline and mx-hw-boundary): looped (scf.for {mx.kernel_loop} + mx.take), its body
# alone (--no-loop) and one layer (--layer); models with ops that have no hardware unit
# give none.
HARDWARE = '''
import sys
from pathlib import Path
from mase_mlir import ir, passes
from mase_mlir.backend import compile as hw
cache = Path(sys.argv[1])
config = {"default": {"input": "mxint8", "weight": "mxint<6,8,32>", "bias": "mxint8",
                      "output": "mxint8", "accumulator": "bounded<4>"}}
for stem in sys.argv[2:]:
    with ir.Context():
        module = ir.Module.parseFile(str(cache / f"{stem}.mlir"))
        passes.assign_precision(module, config)
        mx = cache / f"{stem}.hw-config.mlir"
        mx.write_text(str(module))
        passes.kernel_loop(module)
        looped = cache / f"{stem}.hw-config.looped.mlir"
        looped.write_text(str(module))
        for suffix, source, layer, body in ((".hw", looped, None, False),
                                            (".hw-body", looped, None, True),
                                            (".hw-layer", mx, "layers.1", False)):
            try:
                lowered = hw._lower(source, {}, layer, body)
            except hw.CompileError:
                continue
            (cache / f"{stem}{suffix}.mlir").write_text(lowered.hardware)
'''


@dataclass(frozen=True)
class Seed:
    name: str
    text: str


def lit_seeds() -> list[Seed]:
    seeds = []
    for path in sorted((ROOT / "test").rglob("*.mlir")):
        rel = path.relative_to(ROOT)
        for i, chunk in enumerate(path.read_text().split("// -----")):
            if chunk.strip():
                seeds.append(Seed(f"{rel}#{i}" if i else str(rel), chunk))
    for path in sorted((ROOT / "bench").rglob("*.mlir")):
        seeds.append(Seed(str(path.relative_to(ROOT)), path.read_text()))
    return seeds


def config_files() -> list[Path]:
    return sorted([*(ROOT / "test").rglob("Inputs/*.json"),
                   *(ROOT / "python" / "mase_mlir" / "configs").glob("*.json")])


def _key(mase_opt: Path) -> str:
    digest = hashlib.sha256()
    sources = [*sorted((ROOT / "python" / "mase_mlir" / "frontend").rglob("*.py")),
               ROOT / "python" / "mase_mlir" / "backend" / "compile.py",
               *sorted((ROOT / "python" / "mase_mlir" / "configs").glob("*.json")),
               Path(__file__)]
    for path in sources:
        digest.update(path.read_bytes())
    stat = mase_opt.stat()
    digest.update(f"{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def imported_seeds(cache: Path, mase_opt: Path, log=print) -> list[Seed]:
    """Imported models, each as imported, precision-assigned (the bundled default config)
    and kernel-looped; generated into ``cache`` unless it holds them for this tree."""
    key = _key(mase_opt)
    stamp = cache / "key"
    if not stamp.is_file() or stamp.read_text() != key:
        log(f"[fuzz] importing {len(IMPORTS) + 2} models into {cache}")
        cache.mkdir(parents=True, exist_ok=True)
        for old in cache.glob("*.mlir"):
            old.unlink()
        factory = cache / "factories.py"
        factory.write_text(FACTORIES)
        specs = [*IMPORTS, ("mlp", f"{factory}:make_mlp", {}),
                 ("stack", f"{factory}:make_stack", {})]
        subprocess.run([sys.executable, "-c", GENERATE, str(cache), json.dumps(specs)],
                       check=True, capture_output=True, text=True)
        config = ROOT / "python" / "mase_mlir" / "configs" / "default.json"
        for stem, _, _ in specs:
            src = cache / f"{stem}.mlir"
            mx = cache / f"{stem}.mx.mlir"
            subprocess.run([str(mase_opt), str(src), f"--mx-assign-precision=config={config}",
                            "--canonicalize", "--cse", "-o", str(mx)], check=True,
                           capture_output=True)
            subprocess.run([str(mase_opt), str(mx), "--mx-kernel-loop", "-o",
                            str(cache / f"{stem}.looped.mlir")], check=True, capture_output=True)
        subprocess.run([sys.executable, "-c", HARDWARE, str(cache),
                        *(stem for stem, _, _ in specs)], check=True, capture_output=True,
                       text=True)
        stamp.write_text(key)
    return [Seed(f"imported/{p.name}", p.read_text()) for p in sorted(cache.glob("*.mlir"))]
