// RUN: mase-opt %s --convert-mx-to-mxhw | FileCheck %s
// RUN: mase-opt %s --convert-mx-to-mxhw | mase-opt | FileCheck %s

// Row units: the norms read their weight and bias from memories (a constant,
// or an argument used only as such).

// CHECK-LABEL: func.func @norms
// CHECK-SAME: (%[[X:.*]]: !mxhw.stream<!mx.tensor<2x8x64xmxint8>>, %[[G:.*]]: !mx.tensor<64xmxint8>)
// CHECK: %[[B:.*]] = mx.constant {{.*}} : !mx.tensor<64xmxint8>
// CHECK: %[[N:.*]] = mxhw.layer_norm %[[X]] weight %[[G]] bias %[[B]] {eps = 9.9999999999999998E-13 : f64, name = "ln"} : (!mxhw.stream<!mx.tensor<2x8x64xmxint8>>, !mx.tensor<64xmxint8>, !mx.tensor<64xmxint8>) -> !mxhw.stream<!mx.tensor<2x8x64xmxint8>>
// CHECK: %[[R:.*]] = mxhw.rms_norm %[[N]] weight %[[G]] {eps = 9.9999999999999995E-7 : f64} : (!mxhw.stream<!mx.tensor<2x8x64xmxint8>>, !mx.tensor<64xmxint8>) -> !mxhw.stream<!mx.tensor<2x8x64xmxint<6,8,16>>>
// CHECK: %[[P:.*]] = mxhw.layer_norm %[[R]] bias %[[B]] {eps = 0.000000e+00 : f64}
// CHECK: return %[[P]]
func.func @norms(%x: !mx.tensor<2x8x64xmxint8>, %g: !mx.tensor<64xmxint8>) -> !mx.tensor<2x8x64xmxint8> {
  %b = mx.constant scales(dense<127> : tensor<2xui8>) codes(dense<1> : tensor<64xui8>) : !mx.tensor<64xmxint8>
  %n = mx.layer_norm %x weight %g bias %b {eps = 1.0e-12 : f64, name = "ln"} : (!mx.tensor<2x8x64xmxint8>, !mx.tensor<64xmxint8>, !mx.tensor<64xmxint8>) -> !mx.tensor<2x8x64xmxint8>
  %r = mx.rms_norm %n weight %g {eps = 1.0e-6 : f64} : (!mx.tensor<2x8x64xmxint8>, !mx.tensor<64xmxint8>) -> !mx.tensor<2x8x64xmxint<6,8,16>>
  %p = mx.layer_norm %r bias %b {eps = 0.0 : f64} : (!mx.tensor<2x8x64xmxint<6,8,16>>, !mx.tensor<64xmxint8>) -> !mx.tensor<2x8x64xmxint8>
  return %p : !mx.tensor<2x8x64xmxint8>
}

// Softmax: a mask argument (computed on the host) and a constant mask (a
// causal mask) stay tensors of i1 the units read from bit memories; the
// argument keeps its type at the boundary.

// CHECK-LABEL: func.func @softmax
// CHECK-SAME: (%[[S:.*]]: !mxhw.stream<!mx.tensor<2x3x4x32xmxint8>>, %[[M:.*]]: tensor<2x1x4x32xi1>)
// CHECK-SAME: -> !mxhw.stream<!mx.tensor<2x3x4x32xmxint<8,8,16>>>
// CHECK: %[[C:.*]] = arith.constant dense<{{.*}}> : tensor<4x32xi1>
// CHECK: %[[P:.*]] = mxhw.softmax %[[S]] mask %[[M]] {name = "attn.softmax"} : (!mxhw.stream<!mx.tensor<2x3x4x32xmxint8>>, tensor<2x1x4x32xi1>) -> !mxhw.stream<!mx.tensor<2x3x4x32xmxint8>>
// CHECK: %[[Q:.*]] = mxhw.softmax %[[P]] mask %[[C]] : (!mxhw.stream<!mx.tensor<2x3x4x32xmxint8>>, tensor<4x32xi1>) -> !mxhw.stream<!mx.tensor<2x3x4x32xmxint8>>
// CHECK: %[[R:.*]] = mxhw.softmax %[[Q]] : (!mxhw.stream<!mx.tensor<2x3x4x32xmxint8>>) -> !mxhw.stream<!mx.tensor<2x3x4x32xmxint<8,8,16>>>
// CHECK: return %[[R]]
func.func @softmax(%s: !mx.tensor<2x3x4x32xmxint8>, %m: tensor<2x1x4x32xi1>) -> !mx.tensor<2x3x4x32xmxint<8,8,16>> {
  %causal = arith.constant dense<true> : tensor<4x32xi1>
  %p = mx.softmax %s, mask = %m {axis = 3 : i64, name = "attn.softmax"} : !mx.tensor<2x3x4x32xmxint8>, tensor<2x1x4x32xi1> -> !mx.tensor<2x3x4x32xmxint8>
  %q = mx.softmax %p, mask = %causal {axis = 3 : i64} : !mx.tensor<2x3x4x32xmxint8>, tensor<4x32xi1> -> !mx.tensor<2x3x4x32xmxint8>
  %r = mx.softmax %q {axis = 3 : i64} : !mx.tensor<2x3x4x32xmxint8> -> !mx.tensor<2x3x4x32xmxint<8,8,16>>
  return %r : !mx.tensor<2x3x4x32xmxint<8,8,16>>
}
