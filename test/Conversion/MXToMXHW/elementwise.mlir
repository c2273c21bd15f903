// RUN: mase-opt %s --pass-pipeline='builtin.module(func.func(mx-hw-boundary),convert-mx-to-mxhw)' | FileCheck %s
// RUN: mase-opt %s --pass-pipeline='builtin.module(func.func(mx-hw-boundary),convert-mx-to-mxhw)' | mase-opt | FileCheck %s

// Elementwise units: two streams, a constant in a memory broadcast along the
// leading axes, and f32 splat constants held by the unit as its `scalar` (the
// constants themselves disappear).

// CHECK-LABEL: func.func @block
// CHECK-SAME: (%[[X:.*]]: !mxhw.stream<!mx.tensor<1x4x16x16xmxint<8,8,16>>>, %[[G:.*]]: !mxhw.stream<!mx.tensor<1x4x16x16xmxint<8,8,16>>>)
// CHECK-NOT: arith.constant
// CHECK: %[[COS:.*]] = mx.constant {{.*}} : !mx.tensor<1x1x16x16xmxint<8,8,16>>
// CHECK: %[[S:.*]] = mxhw.mul %[[X]] {name = "attn.scale", scalar = 1.250000e-01 : f32} : (!mxhw.stream<!mx.tensor<1x4x16x16xmxint<8,8,16>>>) -> !mxhw.stream<!mx.tensor<1x4x16x16xmxint<8,8,16>>>
// CHECK: %[[R:.*]] = mxhw.mul %[[S]], %[[COS]] {name = "rope.cos"} : (!mxhw.stream<!mx.tensor<1x4x16x16xmxint<8,8,16>>>, !mx.tensor<1x1x16x16xmxint<8,8,16>>) -> !mxhw.stream<!mx.tensor<1x4x16x16xmxint<8,8,16>>>
// CHECK: %[[H:.*]] = mxhw.add %[[R]], %[[G]] {name = "residual"} : (!mxhw.stream<!mx.tensor<1x4x16x16xmxint<8,8,16>>>, !mxhw.stream<!mx.tensor<1x4x16x16xmxint<8,8,16>>>) -> !mxhw.stream<!mx.tensor<1x4x16x16xmxint<8,8,16>>>
// CHECK: %[[O:.*]] = mxhw.sub %[[H]] {name = "one_minus", scalar = 1.000000e+00 : f32, scalar_first}
// CHECK: return %[[O]]
func.func @block(%x: !mx.tensor<1x4x16x16xmxint<8,8,16>>, %g: !mx.tensor<1x4x16x16xmxint<8,8,16>>) -> !mx.tensor<1x4x16x16xmxint<8,8,16>> {
  %scale = arith.constant dense<0.125> : tensor<f32>
  %one = arith.constant dense<1.0> : tensor<1x1xf32>
  %cos = mx.constant scales(dense<127> : tensor<1x1x16x1xui8>) codes(dense<3> : tensor<1x1x16x16xui8>) : !mx.tensor<1x1x16x16xmxint<8,8,16>>
  %s = mx.mul %x, %scale {name = "attn.scale"} : (!mx.tensor<1x4x16x16xmxint<8,8,16>>, tensor<f32>) -> !mx.tensor<1x4x16x16xmxint<8,8,16>>
  %r = mx.mul %s, %cos {name = "rope.cos"} : (!mx.tensor<1x4x16x16xmxint<8,8,16>>, !mx.tensor<1x1x16x16xmxint<8,8,16>>) -> !mx.tensor<1x4x16x16xmxint<8,8,16>>
  %h = mx.add %r, %g {name = "residual"} : (!mx.tensor<1x4x16x16xmxint<8,8,16>>, !mx.tensor<1x4x16x16xmxint<8,8,16>>) -> !mx.tensor<1x4x16x16xmxint<8,8,16>>
  %o = mx.sub %one, %h {name = "one_minus"} : (tensor<1x1xf32>, !mx.tensor<1x4x16x16xmxint<8,8,16>>) -> !mx.tensor<1x4x16x16xmxint<8,8,16>>
  return %o : !mx.tensor<1x4x16x16xmxint<8,8,16>>
}
