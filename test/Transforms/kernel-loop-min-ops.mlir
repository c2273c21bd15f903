// RUN: mase-opt %s --mx-kernel-loop -verify-diagnostics | FileCheck %s
// RUN: mase-opt %s --mx-kernel-loop=min-ops=1 | FileCheck %s --check-prefix=ONE

// Two embedding adds are two equal single ops, not layers: by default only
// chains of layers with at least two ops loop.

// CHECK-LABEL: func.func @embeddings
// CHECK-NOT: scf.for
// ONE: scf.for
// expected-remark @+1 {{mx-kernel-loop: no chain of identical layers in 'embeddings'}}
func.func @embeddings(%x: tensor<1x8x32xf32>) -> tensor<1x8x32xf32> {
  %a = arith.constant dense<0.5> : tensor<1x8x32xf32>
  %b = arith.constant dense<0.25> : tensor<1x8x32xf32>
  %0 = mx.add %x, %a {name = "embeddings.add"} : (tensor<1x8x32xf32>, tensor<1x8x32xf32>) -> tensor<1x8x32xf32>
  %1 = mx.add %0, %b {name = "embeddings.add_1"} : (tensor<1x8x32xf32>, tensor<1x8x32xf32>) -> tensor<1x8x32xf32>
  %2 = mx.relu %1 {name = "act"} : tensor<1x8x32xf32> -> tensor<1x8x32xf32>
  return %2 : tensor<1x8x32xf32>
}
