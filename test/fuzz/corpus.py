"""The seeds the fuzzer mutates: the project's lit inputs (each ``// -----`` chunk), the
hardware benchmark models, and models imported from PyTorch (float, precision-assigned and
kernel-looped), plus the precision configs of the tests and the package.

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
MLP_FACTORY = '''
import torch
from torch import nn

def make():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 128), nn.GELU(), nn.LayerNorm(128), nn.Linear(128, 64),
                          nn.Softmax(dim=-1))
    return model.eval(), (torch.randn(4, 64),)
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
        log(f"[fuzz] importing {len(IMPORTS) + 1} models into {cache}")
        cache.mkdir(parents=True, exist_ok=True)
        for old in cache.glob("*.mlir"):
            old.unlink()
        factory = cache / "mlp_factory.py"
        factory.write_text(MLP_FACTORY)
        specs = [*IMPORTS, ("mlp", f"{factory}:make", {})]
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
        stamp.write_text(key)
    return [Seed(f"imported/{p.name}", p.read_text()) for p in sorted(cache.glob("*.mlir"))]
