// RUN: not mase-opt %s --mx-kernel-loop=policy=merge 2>&1 | FileCheck %s
// CHECK: error: mx-kernel-loop: unknown policy 'merge' (expected split or unify)
func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
