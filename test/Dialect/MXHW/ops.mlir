// RUN: mase-opt %s | mase-opt | FileCheck %s
// RUN: mase-opt %s --mlir-print-op-generic | mase-opt | FileCheck %s

// CHECK-LABEL: func.func @units
// CHECK-SAME: (%[[X:.*]]: !mxhw.stream<!mx.tensor<4x64xmxint8>>, %[[W:.*]]: !mx.tensor<32x64xmxint<4,8,16>>, %[[B:.*]]: !mx.tensor<32xmxint<6,8,16>>)
func.func @units(%x: !mxhw.stream<!mx.tensor<4x64xmxint8>>, %w: !mx.tensor<32x64xmxint<4,8,16>>,
                 %b: !mx.tensor<32xmxint<6,8,16>>) -> !mxhw.stream<!mx.tensor<4x32xmxint<6,8,16>>> {
  // CHECK: %[[Y:.*]] = mxhw.linear %[[X]], %[[W]], %[[B]] {acc = #mx.acc<bounded<4>>, name = "fc"} : (!mxhw.stream<!mx.tensor<4x64xmxint8>>, !mx.tensor<32x64xmxint<4,8,16>>, !mx.tensor<32xmxint<6,8,16>>) -> !mxhw.stream<!mx.tensor<4x32xmxint<6,8,16>>>
  %y = mxhw.linear %x, %w, %b {acc = #mx.acc<bounded<4>>, name = "fc"}
      : (!mxhw.stream<!mx.tensor<4x64xmxint8>>, !mx.tensor<32x64xmxint<4,8,16>>, !mx.tensor<32xmxint<6,8,16>>)
      -> !mxhw.stream<!mx.tensor<4x32xmxint<6,8,16>>>
  // CHECK: mxhw.relu %[[Y]] {name = "act"} : !mxhw.stream<!mx.tensor<4x32xmxint<6,8,16>>> -> !mxhw.stream<!mx.tensor<4x32xmxint<6,8,16>>>
  %r = mxhw.relu %y {name = "act"} : !mxhw.stream<!mx.tensor<4x32xmxint<6,8,16>>> -> !mxhw.stream<!mx.tensor<4x32xmxint<6,8,16>>>
  return %r : !mxhw.stream<!mx.tensor<4x32xmxint<6,8,16>>>
}

// CHECK-LABEL: func.func @elementwise
func.func @elementwise(%x: !mxhw.stream<!mx.tensor<1x4x16x16xmxint<8,8,16>>>, %y: !mxhw.stream<!mx.tensor<1x4x16x16xmxint<6,8,16>>>,
                       %c: !mx.tensor<1x1x16x16xmxint<8,8,16>>) -> !mxhw.stream<!mx.tensor<1x4x16x16xmxint<8,8,16>>> {
  // CHECK: mxhw.add %{{.*}}, %{{.*}} : (!mxhw.stream<!mx.tensor<1x4x16x16xmxint<8,8,16>>>, !mxhw.stream<!mx.tensor<1x4x16x16xmxint<6,8,16>>>) -> !mxhw.stream<!mx.tensor<1x4x16x16xmxint<8,8,16>>>
  %a = mxhw.add %x, %y : (!mxhw.stream<!mx.tensor<1x4x16x16xmxint<8,8,16>>>, !mxhw.stream<!mx.tensor<1x4x16x16xmxint<6,8,16>>>) -> !mxhw.stream<!mx.tensor<1x4x16x16xmxint<8,8,16>>>
  // CHECK: mxhw.mul %{{.*}}, %{{.*}} {name = "rope.cos"} : (!mxhw.stream<!mx.tensor<1x4x16x16xmxint<8,8,16>>>, !mx.tensor<1x1x16x16xmxint<8,8,16>>)
  %m = mxhw.mul %a, %c {name = "rope.cos"} : (!mxhw.stream<!mx.tensor<1x4x16x16xmxint<8,8,16>>>, !mx.tensor<1x1x16x16xmxint<8,8,16>>) -> !mxhw.stream<!mx.tensor<1x4x16x16xmxint<8,8,16>>>
  // CHECK: mxhw.sub %{{.*}}, %{{.*}} : (!mx.tensor<1x1x16x16xmxint<8,8,16>>, !mxhw.stream<!mx.tensor<1x4x16x16xmxint<8,8,16>>>)
  %s = mxhw.sub %c, %m : (!mx.tensor<1x1x16x16xmxint<8,8,16>>, !mxhw.stream<!mx.tensor<1x4x16x16xmxint<8,8,16>>>) -> !mxhw.stream<!mx.tensor<1x4x16x16xmxint<8,8,16>>>
  // CHECK: mxhw.mul %{{.*}} {scalar = 1.767770e-01 : f32} : (!mxhw.stream<!mx.tensor<1x4x16x16xmxint<8,8,16>>>) -> !mxhw.stream<!mx.tensor<1x4x16x16xmxint<8,8,16>>>
  %k = mxhw.mul %s {scalar = 0.176777 : f32} : (!mxhw.stream<!mx.tensor<1x4x16x16xmxint<8,8,16>>>) -> !mxhw.stream<!mx.tensor<1x4x16x16xmxint<8,8,16>>>
  // CHECK: mxhw.sub %{{.*}} {scalar = 1.000000e+00 : f32, scalar_first} : (!mxhw.stream<!mx.tensor<1x4x16x16xmxint<8,8,16>>>)
  %r = mxhw.sub %k {scalar = 1.0 : f32, scalar_first} : (!mxhw.stream<!mx.tensor<1x4x16x16xmxint<8,8,16>>>) -> !mxhw.stream<!mx.tensor<1x4x16x16xmxint<8,8,16>>>
  return %r : !mxhw.stream<!mx.tensor<1x4x16x16xmxint<8,8,16>>>
}

// CHECK-LABEL: func.func @activations
func.func @activations(%x: !mxhw.stream<!mx.tensor<4x64xmxint8>>) -> (!mxhw.stream<!mx.tensor<4x64xmxint8>>, !mxhw.stream<!mx.tensor<4x64xmxint<6,8,16>>>, !mxhw.stream<!mx.tensor<4x64xmxint8>>, !mxhw.stream<!mx.tensor<4x64xmxint<4,8,8>>>, !mxhw.stream<!mx.tensor<4x64xmxint<8,1,16>>>) {
  // CHECK: mxhw.gelu %{{.*}} {name = "mlp.act"} : !mxhw.stream<!mx.tensor<4x64xmxint8>> -> !mxhw.stream<!mx.tensor<4x64xmxint8>>
  %g = mxhw.gelu %x {name = "mlp.act"} : !mxhw.stream<!mx.tensor<4x64xmxint8>> -> !mxhw.stream<!mx.tensor<4x64xmxint8>>
  // CHECK: mxhw.gelu %{{.*}} {approximate = #mx.approximation<tanh>} : !mxhw.stream<!mx.tensor<4x64xmxint8>> -> !mxhw.stream<!mx.tensor<4x64xmxint<6,8,16>>>
  %h = mxhw.gelu %x {approximate = #mx.approximation<tanh>} : !mxhw.stream<!mx.tensor<4x64xmxint8>> -> !mxhw.stream<!mx.tensor<4x64xmxint<6,8,16>>>
  // CHECK: mxhw.silu
  %s = mxhw.silu %x : !mxhw.stream<!mx.tensor<4x64xmxint8>> -> !mxhw.stream<!mx.tensor<4x64xmxint8>>
  // CHECK: mxhw.tanh
  %t = mxhw.tanh %x : !mxhw.stream<!mx.tensor<4x64xmxint8>> -> !mxhw.stream<!mx.tensor<4x64xmxint<4,8,8>>>
  // CHECK: mxhw.sigmoid
  %p = mxhw.sigmoid %x : !mxhw.stream<!mx.tensor<4x64xmxint8>> -> !mxhw.stream<!mx.tensor<4x64xmxint<8,1,16>>>
  return %g, %h, %s, %t, %p : !mxhw.stream<!mx.tensor<4x64xmxint8>>, !mxhw.stream<!mx.tensor<4x64xmxint<6,8,16>>>, !mxhw.stream<!mx.tensor<4x64xmxint8>>, !mxhw.stream<!mx.tensor<4x64xmxint<4,8,8>>>, !mxhw.stream<!mx.tensor<4x64xmxint<8,1,16>>>
}
