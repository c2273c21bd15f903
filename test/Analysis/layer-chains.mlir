// RUN: mase-opt %s --test-mx-layer-chains="min-ops=1" --split-input-file 2>&1 | FileCheck %s
// RUN: mase-opt %s --test-mx-layer-chains="min-ops=1 unify=1" --split-input-file 2>&1 | FileCheck %s --check-prefix=UNIFY

// The analysis mx-kernel-loop folds by: chains of structurally identical
// layers, found without names, with the values carried between layers.

// CHECK: remark: chain: 3 layers x 3 ops, 1 carried (op 2 result 0); stopped: the function has no further layer
// UNIFY: remark: chain: 3 layers x 3 ops, 1 carried (op 2 result 0); stopped: the function has no further layer
func.func @residual(%x: tensor<4x64xf32>) -> tensor<4x64xf32> {
  %w0 = arith.constant dense<0.5> : tensor<64x64xf32>
  %w1 = arith.constant dense<0.25> : tensor<64x64xf32>
  %w2 = arith.constant dense<0.125> : tensor<64x64xf32>
  %h0 = mx.linear %x, %w0 {name = "a"} : (tensor<4x64xf32>, tensor<64x64xf32>) -> tensor<4x64xf32>
  %a0 = mx.relu %h0 {name = "b"} : tensor<4x64xf32> -> tensor<4x64xf32>
  %r0 = mx.add %a0, %x {name = "c"} : (tensor<4x64xf32>, tensor<4x64xf32>) -> tensor<4x64xf32>
  %h1 = mx.linear %r0, %w1 {name = "d"} : (tensor<4x64xf32>, tensor<64x64xf32>) -> tensor<4x64xf32>
  %a1 = mx.relu %h1 {name = "e"} : tensor<4x64xf32> -> tensor<4x64xf32>
  %r1 = mx.add %a1, %r0 {name = "f"} : (tensor<4x64xf32>, tensor<4x64xf32>) -> tensor<4x64xf32>
  %h2 = mx.linear %r1, %w2 {name = "g"} : (tensor<4x64xf32>, tensor<64x64xf32>) -> tensor<4x64xf32>
  %a2 = mx.relu %h2 {name = "h"} : tensor<4x64xf32> -> tensor<4x64xf32>
  %r2 = mx.add %a2, %r1 {name = "i"} : (tensor<4x64xf32>, tensor<4x64xf32>) -> tensor<4x64xf32>
  return %r2 : tensor<4x64xf32>
}

// -----

// Two values carried: each layer reads both outputs of the previous one.
// CHECK: remark: chain: 2 layers x 2 ops, 2 carried (op 0 result 0, op 1 result 0)
func.func @two_carried(%x: tensor<4x8xf32>, %y: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %a0 = mx.add %x, %y : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %m0 = mx.mul %y, %a0 : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %a1 = mx.add %a0, %m0 : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %m1 = mx.mul %m0, %a1 : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return %a1, %m1 : tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// Layers whose MXInt weights differ only in width are one chain under unify.
// CHECK: remark: no chain; closest: layer 1 differs: {{.*}}operand #1 is not a constant of the same type
// UNIFY: remark: chain: 2 layers x 2 ops
func.func @widths(%x: tensor<4x32xf32>) -> tensor<4x32xf32> {
  %w0 = mx.constant scales(dense<127> : tensor<32x1xui8>) codes(dense<1> : tensor<32x32xui4>) : !mx.tensor<32x32xmxint<4,8,32>>
  %w1 = mx.constant scales(dense<127> : tensor<32x1xui8>) codes(dense<1> : tensor<32x32xui8>) : !mx.tensor<32x32xmxint<8,8,32>>
  %h0 = mx.linear %x, %w0 : (tensor<4x32xf32>, !mx.tensor<32x32xmxint<4,8,32>>) -> tensor<4x32xf32>
  %a0 = mx.relu %h0 : tensor<4x32xf32> -> tensor<4x32xf32>
  %h1 = mx.linear %a0, %w1 : (tensor<4x32xf32>, !mx.tensor<32x32xmxint<8,8,32>>) -> tensor<4x32xf32>
  %a1 = mx.relu %h1 : tensor<4x32xf32> -> tensor<4x32xf32>
  return %a1 : tensor<4x32xf32>
}

// -----

// A hidden state used after the chain by someone else ends it early.
// CHECK: remark: no chain; closest: layer 0 has a value used outside the chain (mx.relu 'r0' is used by func.return)
func.func @escapes(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %n0 = mx.neg %x {name = "n0"} : tensor<4x8xf32> -> tensor<4x8xf32>
  %r0 = mx.relu %n0 {name = "r0"} : tensor<4x8xf32> -> tensor<4x8xf32>
  %n1 = mx.neg %r0 {name = "n1"} : tensor<4x8xf32> -> tensor<4x8xf32>
  %r1 = mx.relu %n1 {name = "r1"} : tensor<4x8xf32> -> tensor<4x8xf32>
  return %r0, %r1 : tensor<4x8xf32>, tensor<4x8xf32>
}
