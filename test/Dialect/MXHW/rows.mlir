// RUN: mase-opt %s | mase-opt | FileCheck %s
// RUN: mase-opt %s --mlir-print-op-generic | mase-opt | FileCheck %s

// CHECK-LABEL: func.func @rows
func.func @rows(%x: !mxhw.stream<!mx.tensor<2x4x8x64xmxint8>>, %m: tensor<2x1x8x64xi1>,
                %h: !mxhw.stream<!mx.tensor<8x64xmxint8>>, %g: !mx.tensor<64xmxint8>,
                %b: !mx.tensor<64xmxint<6,8,16>>)
    -> (!mxhw.stream<!mx.tensor<2x4x8x64xmxint8>>, !mxhw.stream<!mx.tensor<2x4x8x64xmxint8>>,
        !mxhw.stream<!mx.tensor<8x64xmxint8>>, !mxhw.stream<!mx.tensor<8x64xmxint8>>,
        !mxhw.stream<!mx.tensor<8x64xmxint8>>) {
  // CHECK: mxhw.softmax %{{.*}} mask %{{.*}} {name = "attn.softmax"} : (!mxhw.stream<!mx.tensor<2x4x8x64xmxint8>>, tensor<2x1x8x64xi1>) -> !mxhw.stream<!mx.tensor<2x4x8x64xmxint8>>
  %p = mxhw.softmax %x mask %m {name = "attn.softmax"} : (!mxhw.stream<!mx.tensor<2x4x8x64xmxint8>>, tensor<2x1x8x64xi1>) -> !mxhw.stream<!mx.tensor<2x4x8x64xmxint8>>
  // CHECK: mxhw.softmax %{{.*}} : (!mxhw.stream<!mx.tensor<2x4x8x64xmxint8>>) -> !mxhw.stream<!mx.tensor<2x4x8x64xmxint8>>
  %q = mxhw.softmax %x : (!mxhw.stream<!mx.tensor<2x4x8x64xmxint8>>) -> !mxhw.stream<!mx.tensor<2x4x8x64xmxint8>>
  // CHECK: mxhw.layer_norm %{{.*}} weight %{{.*}} bias %{{.*}} {eps = 9.9999999999999998E-13 : f64} : (!mxhw.stream<!mx.tensor<8x64xmxint8>>, !mx.tensor<64xmxint8>, !mx.tensor<64xmxint<6,8,16>>) -> !mxhw.stream<!mx.tensor<8x64xmxint8>>
  %n = mxhw.layer_norm %h weight %g bias %b {eps = 1.0e-12 : f64} : (!mxhw.stream<!mx.tensor<8x64xmxint8>>, !mx.tensor<64xmxint8>, !mx.tensor<64xmxint<6,8,16>>) -> !mxhw.stream<!mx.tensor<8x64xmxint8>>
  // CHECK: mxhw.layer_norm %{{.*}} bias %{{.*}} {eps = 1.000000e-05 : f64} : (!mxhw.stream<!mx.tensor<8x64xmxint8>>, !mx.tensor<64xmxint<6,8,16>>) -> !mxhw.stream<!mx.tensor<8x64xmxint8>>
  %o = mxhw.layer_norm %h bias %b {eps = 1.0e-5 : f64} : (!mxhw.stream<!mx.tensor<8x64xmxint8>>, !mx.tensor<64xmxint<6,8,16>>) -> !mxhw.stream<!mx.tensor<8x64xmxint8>>
  // CHECK: mxhw.rms_norm %{{.*}} weight %{{.*}} {eps = 9.9999999999999995E-7 : f64, name = "norm"} : (!mxhw.stream<!mx.tensor<8x64xmxint8>>, !mx.tensor<64xmxint8>) -> !mxhw.stream<!mx.tensor<8x64xmxint8>>
  %r = mxhw.rms_norm %h weight %g {eps = 1.0e-6 : f64, name = "norm"} : (!mxhw.stream<!mx.tensor<8x64xmxint8>>, !mx.tensor<64xmxint8>) -> !mxhw.stream<!mx.tensor<8x64xmxint8>>
  return %p, %q, %n, %o, %r : !mxhw.stream<!mx.tensor<2x4x8x64xmxint8>>, !mxhw.stream<!mx.tensor<2x4x8x64xmxint8>>,
      !mxhw.stream<!mx.tensor<8x64xmxint8>>, !mxhw.stream<!mx.tensor<8x64xmxint8>>, !mxhw.stream<!mx.tensor<8x64xmxint8>>
}
