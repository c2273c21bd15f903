"""torch_mlir, circt and mase_mlir each carry their own MLIR; they must live in
one process (docs/toolchain.md: exclude-libs and a nanobind domain of our own)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import threading

    import circt
    import torch_mlir
    from circt import ir as circt_ir
    from torch_mlir import ir as torch_ir
    from torch_mlir.dialects import torch as torch_dialect

    from mase_mlir import ir
    from mase_mlir.dialects import mx

    def use_all():
        with ir.Context():
            m = ir.Module.parse(
                "func.func @f(%x: tensor<4x64xf32>) -> !mx.tensor<4x64xmxint8> {"
                " %q = mx.quantize %x : tensor<4x64xf32> -> !mx.tensor<4x64xmxint8>"
                " return %q : !mx.tensor<4x64xmxint8> }")
            assert "mx.quantize" in str(m)
            assert mx.TensorType.get([2, 32], "mxfp4_e2m1").rank == 2
        with circt_ir.Context() as c:
            circt.register_dialects(c)
            m = circt_ir.Module.parse(
                "hw.module @top(in %a: i8, out b: i8) { hw.output %a : i8 }")
            assert "hw.module" in str(m)
        with torch_ir.Context() as c:
            torch_dialect.register_dialect(c)
            m = torch_ir.Module.parse(
                "func.func @f(%a: !torch.vtensor<[2],f32>) -> !torch.vtensor<[2],f32>"
                " { return %a : !torch.vtensor<[2],f32> }")
            assert "torch.vtensor" in str(m)

    use_all()
    threads = [threading.Thread(target=lambda: [use_all() for _ in range(10)])
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("coexist-ok")
    """
)


def test_torch_mlir_circt_and_mase_in_one_process():
    # A child process: a crash here must fail the test, not the test runner.
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert "coexist-ok" in proc.stdout
