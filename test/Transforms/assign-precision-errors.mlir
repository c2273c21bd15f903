// RUN: not mase-opt %s --mx-assign-precision=config=%S/Inputs/unknown-format.json 2>&1 | FileCheck %s --check-prefix=FORMAT
// RUN: not mase-opt %s --mx-assign-precision=config=%S/Inputs/unknown-role.json 2>&1 | FileCheck %s --check-prefix=ROLE
// RUN: not mase-opt %s --mx-assign-precision=config=%S/Inputs/accumulator.json 2>&1 | FileCheck %s --check-prefix=ACC
// RUN: not mase-opt %s --mx-assign-precision=config=%S/Inputs/role-missing.json 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not mase-opt %s --mx-assign-precision=config=%S/Inputs/accumulator-missing.json 2>&1 | FileCheck %s --check-prefix=ACCMISSING
// RUN: not mase-opt %s --mx-assign-precision=config=%S/Inputs/accumulator-guard.json 2>&1 | FileCheck %s --check-prefix=GUARD
// RUN: not mase-opt %s --mx-assign-precision=config=%S/Inputs/unmatched.json 2>&1 | FileCheck %s --check-prefix=UNMATCHED
// RUN: mase-opt %s --mx-assign-precision="config=%S/Inputs/unmatched.json allow-unmatched=true" 2>&1 | FileCheck %s --check-prefix=ALLOWED
// RUN: not mase-opt %s --mx-assign-precision=config=%S/Inputs/bad-json.json 2>&1 | FileCheck %s --check-prefix=JSON
// RUN: not mase-opt %s --mx-assign-precision=config=%S/Inputs/no-such-file.json 2>&1 | FileCheck %s --check-prefix=FILE
// RUN: not mase-opt %s --mx-assign-precision 2>&1 | FileCheck %s --check-prefix=NOCONFIG
// RUN: not mase-opt %s --mx-assign-precision=config=%S/Inputs/duplicate-key.json 2>&1 | FileCheck %s --check-prefix=DUPLICATE

// FORMAT: error: precision config '{{.*}}unknown-format.json': default.input: mxint element width must be in 2..16, got 0
// ROLE: error: precision config '{{.*}}unknown-role.json': default: unknown role 'wieght' (expected input, weight, bias, output or accumulator)
// ACC: error: precision config '{{.*}}accumulator.json': default.accumulator: unknown accumulation 'mxint8' (expected 'exact' or 'bounded<G>' with G guard bits)
// MISSING: error: precision config '{{.*}}role-missing.json': ops['*.act'] sets 'weight', but none of the 1 ops it matches has that role (e.g. 'mlp.act' (mx.relu))
// ACCMISSING: error: precision config '{{.*}}accumulator-missing.json': ops['*.act'] sets 'accumulator', but none of the 1 ops it matches has that role (e.g. 'mlp.act' (mx.relu))
// GUARD: error: precision config '{{.*}}accumulator-guard.json': default.accumulator: accumulator guard bits must be in 0..64, got 99
// UNMATCHED: error: precision config '{{.*}}unmatched.json': ops glob 'decoder.*' matches no op
// ALLOWED: warning: precision config '{{.*}}unmatched.json': ops glob 'decoder.*' matches no op
// ALLOWED: mx.quantize
// JSON: error: precision config '{{.*}}bad-json.json' is not valid JSON
// FILE: error: cannot read precision config '{{.*}}no-such-file.json'
// NOCONFIG: error: mx-assign-precision needs config=<file.json>
// A key given twice is a mistake (JSON parsers silently keep one of them).
// DUPLICATE: error: precision config '{{.*}}duplicate-key.json': key 'mlp.*' appears twice in one object (line 5)

func.func @mlp(%x: tensor<4x64xf32>, %w: tensor<64x64xf32>) -> tensor<4x64xf32> {
  %h = mx.linear %x, %w {name = "mlp.fc"} : (tensor<4x64xf32>, tensor<64x64xf32>) -> tensor<4x64xf32>
  %a = mx.relu %h {name = "mlp.act"} : tensor<4x64xf32> -> tensor<4x64xf32>
  return %a : tensor<4x64xf32>
}
