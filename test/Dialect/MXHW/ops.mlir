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
