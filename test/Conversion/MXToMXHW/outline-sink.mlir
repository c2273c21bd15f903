// RUN: mase-opt %s --mx-hw-outline | FileCheck %s

// A model output taken from the middle of the hardware part: the host's dequantize
// of it moves after the call, with the host ops that depend on it, in order.
// CHECK-LABEL: func.func @two_outputs
// CHECK: %[[C:.*]]:2 = call @two_outputs_hw
// CHECK: %[[D0:.*]] = mx.dequantize %[[C]]#0
// CHECK: %[[N:.*]] = mx.neg %[[D0]]
// CHECK: %[[D1:.*]] = mx.dequantize %[[C]]#1
// CHECK: return %[[N]], %[[D1]]
// CHECK-LABEL: func.func @two_outputs_hw
// CHECK: mx.linear
// CHECK: mx.relu
// CHECK: mx.linear
// CHECK-NOT: mx.dequantize
// CHECK: return
func.func @two_outputs(%x: !mx.tensor<4x32xmxint8>) -> (tensor<4x32xf32>, tensor<4x32xf32>) {
  %w = mx.constant scales(dense<120> : tensor<32x1xui8>) codes(dense<1> : tensor<32x32xui8>) : !mx.tensor<32x32xmxint8>
  %h = mx.linear %x, %w {name = "a"} : (!mx.tensor<4x32xmxint8>, !mx.tensor<32x32xmxint8>) -> !mx.tensor<4x32xmxint8>
  %dh = mx.dequantize %h : !mx.tensor<4x32xmxint8> -> tensor<4x32xf32>
  %n = mx.neg %dh {name = "negate"} : tensor<4x32xf32> -> tensor<4x32xf32>
  %r = mx.relu %h {name = "act"} : !mx.tensor<4x32xmxint8> -> !mx.tensor<4x32xmxint8>
  %y = mx.linear %r, %w {name = "b"} : (!mx.tensor<4x32xmxint8>, !mx.tensor<32x32xmxint8>) -> !mx.tensor<4x32xmxint8>
  %dy = mx.dequantize %y : !mx.tensor<4x32xmxint8> -> tensor<4x32xf32>
  return %n, %dy : tensor<4x32xf32>, tensor<4x32xf32>
}
