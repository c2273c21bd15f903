// The pinned upstream mlir-opt loads the mx dialect and passes as a plugin,
// which is how other MLIR compilers embed them.
// RUN: mlir-opt %s --load-dialect-plugin=%mx_plugin | FileCheck %s
// RUN: mlir-opt %s --load-dialect-plugin=%mx_plugin --load-pass-plugin=%mx_plugin --pass-pipeline="builtin.module(mx-fold-constants)" | FileCheck %s
// RUN: mase-opt %s | mlir-opt --load-dialect-plugin=%mx_plugin | mase-opt | FileCheck %s

// CHECK-LABEL: func.func @linear
// CHECK: mx.quantize %{{.*}} : tensor<4x64xf32> -> !mx.tensor<4x64xmxint<4,8,16>>
// CHECK: mx.linear %{{.*}}, %{{.*}} {name = "fc"} : (!mx.tensor<4x64xmxint<4,8,16>>, tensor<32x64xf32>) -> !mx.tensor<4x32xmxfp8_e4m3>
func.func @linear(%x: tensor<4x64xf32>, %w: tensor<32x64xf32>) -> !mx.tensor<4x32xmxfp8_e4m3> {
  %q = mx.quantize %x : tensor<4x64xf32> -> !mx.tensor<4x64xmxint<4,8,16>>
  %y = mx.linear %q, %w {name = "fc"} : (!mx.tensor<4x64xmxint<4,8,16>>, tensor<32x64xf32>) -> !mx.tensor<4x32xmxfp8_e4m3>
  return %y : !mx.tensor<4x32xmxfp8_e4m3>
}
