// RUN: mase-opt %s --mx-hw-outline=layer=blk.0 -split-input-file -verify-diagnostics | FileCheck %s

// A layer that starts by moving its float input (nn.MultiheadAttention's
// batch_first transpose) and quantizing it: the host does both, as for a whole
// model, and the hardware part takes the MX tensor.

// CHECK-LABEL: func.func @net
// CHECK: %[[T:.*]] = mx.transpose %{{.*}} {name = "blk.0.transpose"
// CHECK: %[[Q:.*]] = mx.quantize %[[T]]
// CHECK: call @net_hw(%[[Q]]) : (!mx.tensor<8x4x32xmxint8>) -> tensor<8x4x32xf32>
// CHECK-LABEL: func.func @net_hw
// CHECK-NOT: mx.transpose
// CHECK: mx.linear {{.*}} {name = "blk.0.proj"}
// CHECK-NOT: mx.quantize
// CHECK: mx.dequantize
// CHECK: return
func.func @net(%x: tensor<4x8x32xf32>) -> tensor<8x4x32xf32> {
  %w = mx.constant scales(dense<120> : tensor<32x1xui8>) codes(dense<1> : tensor<32x32xui8>) : !mx.tensor<32x32xmxint8>
  %t = mx.transpose %x {name = "blk.0.transpose", permutation = array<i64: 1, 0, 2>} : tensor<4x8x32xf32> -> tensor<8x4x32xf32>
  %q = mx.quantize %t : tensor<8x4x32xf32> -> !mx.tensor<8x4x32xmxint8>
  %y = mx.linear %q, %w {name = "blk.0.proj"} : (!mx.tensor<8x4x32xmxint8>, !mx.tensor<32x32xmxint8>) -> !mx.tensor<8x4x32xmxint8>
  %d = mx.dequantize %y : !mx.tensor<8x4x32xmxint8> -> tensor<8x4x32xf32>
  return %d : tensor<8x4x32xf32>
}

// -----

// A layer of data movement only has nothing for the hardware.
// expected-error @+1 {{mx-hw-outline: layer 'blk.0' only moves or quantizes host values; nothing of it runs on the hardware}}
func.func @moves(%x: tensor<4x8x32xf32>) -> tensor<8x4x32xf32> {
  %t = mx.transpose %x {name = "blk.0.transpose", permutation = array<i64: 1, 0, 2>} : tensor<4x8x32xf32> -> tensor<8x4x32xf32>
  return %t : tensor<8x4x32xf32>
}
