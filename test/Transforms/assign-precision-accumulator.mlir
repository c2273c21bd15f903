// RUN: mase-opt %s --mx-assign-precision=config=%S/Inputs/accumulate.json | FileCheck %s
// RUN: mase-opt %s --mx-assign-precision=config=%S/Inputs/accumulate.json | mase-opt | FileCheck %s

// The `accumulator` key sets `acc` on contractions only: the default
// (bounded<4>) on every linear/matmul, an `ops` entry overrides it; other ops
// never get it.

// CHECK-LABEL: func.func @block
// CHECK: mx.linear {{.*}} {acc = #mx.acc<bounded<4>>, name = "blk.fc1"}
// CHECK: mx.relu {{.*}} {name = "blk.act"}
// CHECK: mx.linear {{.*}} {acc = #mx.acc<exact>, name = "blk.fc2"}
// CHECK: mx.batch_matmul {{.*}} {acc = #mx.acc<bounded<4>>, name = "blk.bmm"}
func.func @block(%x: tensor<4x64xf32>, %w: tensor<64x64xf32>, %a: tensor<2x4x32xf32>, %b: tensor<2x32x32xf32>) -> (tensor<4x64xf32>, tensor<2x4x32xf32>) {
  %h = mx.linear %x, %w {name = "blk.fc1"} : (tensor<4x64xf32>, tensor<64x64xf32>) -> tensor<4x64xf32>
  %r = mx.relu %h {name = "blk.act"} : tensor<4x64xf32> -> tensor<4x64xf32>
  %y = mx.linear %r, %w {name = "blk.fc2"} : (tensor<4x64xf32>, tensor<64x64xf32>) -> tensor<4x64xf32>
  %s = mx.batch_matmul %a, %b {name = "blk.bmm"} : (tensor<2x4x32xf32>, tensor<2x32x32xf32>) -> tensor<2x4x32xf32>
  return %y, %s : tensor<4x64xf32>, tensor<2x4x32xf32>
}
