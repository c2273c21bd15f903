// RUN: mase-opt %s --mx-assign-precision=config=%S/Inputs/chain.json | FileCheck %s

// An MX output feeds the next op directly when the formats agree, through
// mx.cast when they differ, and through mx.dequantize where an op wants f32.
// Operands that cannot be blocked (a scalar, a dimension of 1) stay f32.

// CHECK-LABEL: func.func @chain
// CHECK: %[[A:.*]] = mx.gelu %{{.*}} {name = "a"} : !mx.tensor<2x32xmxint8> -> !mx.tensor<2x32xmxint8>
// CHECK: %[[B:.*]] = mx.silu %[[A]] {name = "b"} : !mx.tensor<2x32xmxint8> -> !mx.tensor<2x32xmxint<4,8,16>>
// CHECK: %[[D:.*]] = mx.dequantize %[[B]] : !mx.tensor<2x32xmxint<4,8,16>> -> tensor<2x32xf32>
// CHECK: %[[C:.*]] = mx.cast %[[B]] : !mx.tensor<2x32xmxint<4,8,16>> -> !mx.tensor<2x32xmxint8>
// CHECK: %[[M:.*]] = mx.mul %[[C]], %{{.*}} {name = "c"} : (!mx.tensor<2x32xmxint8>, tensor<f32>) -> tensor<2x32xf32>
// CHECK: mx.reshape %[[D]] : tensor<2x32xf32> -> tensor<64xf32>
func.func @chain(%x: tensor<2x32xf32>) -> (tensor<2x32xf32>, tensor<64xf32>) {
  %s = arith.constant dense<2.0> : tensor<f32>
  %a = mx.gelu %x {name = "a"} : tensor<2x32xf32> -> tensor<2x32xf32>
  %b = mx.silu %a {name = "b"} : tensor<2x32xf32> -> tensor<2x32xf32>
  %c = mx.mul %b, %s {name = "c"} : (tensor<2x32xf32>, tensor<f32>) -> tensor<2x32xf32>
  %r = mx.reshape %b : tensor<2x32xf32> -> tensor<64xf32>
  return %c, %r : tensor<2x32xf32>, tensor<64xf32>
}
