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
