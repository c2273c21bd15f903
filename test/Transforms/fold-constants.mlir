// RUN: mase-opt %s --mx-fold-constants --split-input-file | FileCheck %s

// The hand-checked OCP vector of NUMERICS.md: x = [7, 3, 0.3, -7.9, 0 x 28]
// as MXINT8 is scale 0x81 with codes 0x70 0x30 0x05 0x82.
// CHECK-LABEL: func.func @mxint8
// CHECK: mx.constant scales(dense<129> : tensor<1xui8>) codes(dense<[112, 48, 5, 130, 0,
// CHECK-NOT: mx.quantize
func.func @mxint8() -> !mx.tensor<32xmxint8> {
  %c = arith.constant dense<[7.0, 3.0, 0.3, -7.9, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]> : tensor<32xf32>
  %q = mx.quantize %c : tensor<32xf32> -> !mx.tensor<32xmxint8>
  return %q : !mx.tensor<32xmxint8>
}

// -----

// Same values as MXFP4: scale 0x7F, codes 07 05 01 0F (6, 3, 0.5, -6).
// CHECK-LABEL: func.func @mxfp4
// CHECK: mx.constant scales(dense<127> : tensor<1xui8>) codes(dense<[7, 5, 1, 15, 0,
func.func @mxfp4() -> !mx.tensor<32xmxfp4_e2m1> {
  %c = arith.constant dense<[7.0, 3.0, 0.3, -7.9, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]> : tensor<32xf32>
  %q = mx.quantize %c : tensor<32xf32> -> !mx.tensor<32xmxfp4_e2m1>
  return %q : !mx.tensor<32xmxfp4_e2m1>
}

// -----

// A splat along axis 0 with blocks of 2: 4 blocks of two 1.0s: scale 2^0.
// CHECK-LABEL: func.func @splat_axis0
// CHECK: mx.constant scales(dense<127> : tensor<2x2xui8>) codes(dense<4> : tensor<4x2xui4>) : !mx.tensor<4x2xmxint<4,8,2>, axis = 0>
func.func @splat_axis0() -> !mx.tensor<4x2xmxint<4,8,2>, axis = 0> {
  %c = arith.constant dense<1.0> : tensor<4x2xf32>
  %q = mx.quantize %c : tensor<4x2xf32> -> !mx.tensor<4x2xmxint<4,8,2>, axis = 0>
  return %q : !mx.tensor<4x2xmxint<4,8,2>, axis = 0>
}

// -----

// Casts to the same type and identity reshapes fold away.
// CHECK-LABEL: func.func @identities
// CHECK-NEXT: return %arg0
func.func @identities(%q: !mx.tensor<2x32xmxint8>) -> !mx.tensor<2x32xmxint8> {
  %0 = mx.cast %q : !mx.tensor<2x32xmxint8> -> !mx.tensor<2x32xmxint8>
  %1 = mx.reshape %0 : !mx.tensor<2x32xmxint8> -> !mx.tensor<2x32xmxint8>
  return %1 : !mx.tensor<2x32xmxint8>
}

// -----

// A quantize of a function argument stays.
// CHECK-LABEL: func.func @argument
// CHECK: mx.quantize
func.func @argument(%x: tensor<2x32xf32>) -> !mx.tensor<2x32xmxint8> {
  %q = mx.quantize %x : tensor<2x32xf32> -> !mx.tensor<2x32xmxint8>
  return %q : !mx.tensor<2x32xmxint8>
}
