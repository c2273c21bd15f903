// RUN: mase-opt %s | mase-opt | FileCheck %s
// RUN: mase-opt %s --mlir-print-op-generic | mase-opt | FileCheck %s
// RUN: mlir-opt %s --load-dialect-plugin=%mx_plugin | mase-opt | FileCheck %s

// Every format family and short name, default and explicit blocked axes.

// CHECK-LABEL: func.func @formats
// CHECK-SAME: !mx.tensor<2x32xmxfp8_e5m2>
// CHECK-SAME: !mx.tensor<2x32xmxfp8_e4m3>
// CHECK-SAME: !mx.tensor<2x32xmxfp6_e3m2>
// CHECK-SAME: !mx.tensor<2x32xmxfp6_e2m3>
// CHECK-SAME: !mx.tensor<2x32xmxfp4_e2m1>
// CHECK-SAME: !mx.tensor<2x32xmxint8>
// CHECK-SAME: !mx.tensor<2x32xmxint<4,8,16>>
// CHECK-SAME: !mx.tensor<2x32xmxint<2,1,1>>
// CHECK-SAME: !mx.tensor<2x32xmxint<16,5,8>>
// CHECK-SAME: !mx.tensor<2x32xmxfp<e2m1,6,16>>
// CHECK-SAME: !mx.tensor<64x3xmxint<6,8,32>, axis = 0>
// CHECK-SAME: !mx.tensor<2x3x32xmxfp8_e4m3>)
func.func @formats(
    %a: !mx.tensor<2x32xmxfp8_e5m2>,
    %b: !mx.tensor<2x32xmxfp<e4m3,8,32>>,
    %c: !mx.tensor<2x32xmxfp6_e3m2>,
    %d: !mx.tensor<2x32xmxfp6_e2m3>,
    %e: !mx.tensor<2x32xmxfp4_e2m1>,
    %f: !mx.tensor<2x32xmxint<8, 8, 32>>,
    %g: !mx.tensor<2x32xmxint<4,8,16>>,
    %h: !mx.tensor<2x32xmxint<2,1,1>>,
    %i: !mx.tensor<2x32xmxint<16,5,8>>,
    %j: !mx.tensor<2x32xmxfp<e2m1,6,16>>,
    %k: !mx.tensor<64x3xmxint<6,8,32>, axis = 0>,
    %l: !mx.tensor<2x3x32xmxfp8_e4m3, axis = 2>) {
  return
}

// CHECK-LABEL: func.func @format_attrs
// CHECK: fmt = #mx.format<mxint<4,8,16>>
// CHECK-SAME: ocp = #mx.format<mxfp4_e2m1>
func.func @format_attrs() attributes {fmt = #mx.format<mxint<4, 8, 16>>, ocp = #mx.format<mxfp<e2m1,8,32>>} {
  return
}
