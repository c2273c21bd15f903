// RUN: mase-opt %s --pass-pipeline='builtin.module(func.func(mx-hw-boundary),convert-mx-to-mxhw)' | FileCheck %s

// Activations become table units; gelu's form and the op's name carry over.

// CHECK-LABEL: func.func @swiglu
// CHECK-SAME: (%[[G:.*]]: !mxhw.stream<!mx.tensor<4x64xmxint8>>, %[[U:.*]]: !mxhw.stream<!mx.tensor<4x64xmxint8>>)
// CHECK: %[[S:.*]] = mxhw.silu %[[G]] {name = "mlp.act"} : !mxhw.stream<!mx.tensor<4x64xmxint8>> -> !mxhw.stream<!mx.tensor<4x64xmxint8>>
// CHECK: %[[P:.*]] = mxhw.mul %[[S]], %[[U]]
// CHECK: %[[E:.*]] = mxhw.gelu %[[P]] {approximate = #mx.approximation<tanh>} : !mxhw.stream<!mx.tensor<4x64xmxint8>> -> !mxhw.stream<!mx.tensor<4x64xmxint<6,8,16>>>
// CHECK: %[[F:.*]] = mxhw.gelu %[[E]] : !mxhw.stream<!mx.tensor<4x64xmxint<6,8,16>>> -> !mxhw.stream<!mx.tensor<4x64xmxint8>>
// CHECK: %[[T:.*]] = mxhw.tanh %[[F]]
// CHECK: %[[Q:.*]] = mxhw.sigmoid %[[T]]
// CHECK: return %[[Q]]
func.func @swiglu(%g: !mx.tensor<4x64xmxint8>, %u: !mx.tensor<4x64xmxint8>) -> !mx.tensor<4x64xmxint8> {
  %s = mx.silu %g {name = "mlp.act"} : !mx.tensor<4x64xmxint8> -> !mx.tensor<4x64xmxint8>
  %p = mx.mul %s, %u : (!mx.tensor<4x64xmxint8>, !mx.tensor<4x64xmxint8>) -> !mx.tensor<4x64xmxint8>
  %e = mx.gelu %p {approximate = #mx.approximation<tanh>} : !mx.tensor<4x64xmxint8> -> !mx.tensor<4x64xmxint<6,8,16>>
  %f = mx.gelu %e : !mx.tensor<4x64xmxint<6,8,16>> -> !mx.tensor<4x64xmxint8>
  %t = mx.tanh %f : !mx.tensor<4x64xmxint8> -> !mx.tensor<4x64xmxint8>
  %q = mx.sigmoid %t : !mx.tensor<4x64xmxint8> -> !mx.tensor<4x64xmxint8>
  return %q : !mx.tensor<4x64xmxint8>
}
