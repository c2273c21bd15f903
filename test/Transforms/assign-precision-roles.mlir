// RUN: mase-opt %s --mx-assign-precision=config=%S/Inputs/roles.json | FileCheck %s

// Operand roles come from the ops' ODS operand groups: layer_norm's optional
// weight and bias are told apart by its operand segments, also when one value
// is passed as both.

// CHECK-LABEL: func.func @bias_only
// CHECK-DAG: %[[X:.*]] = mx.quantize %arg0 : tensor<4x64xf32> -> !mx.tensor<4x64xmxint8>
// CHECK-DAG: %[[B:.*]] = mx.quantize %arg1 : tensor<64xf32> -> !mx.tensor<64xmxint<6,8,32>>
// CHECK: mx.layer_norm %[[X]] bias %[[B]]
func.func @bias_only(%x: tensor<4x64xf32>, %b: tensor<64xf32>) -> tensor<4x64xf32> {
  %y = mx.layer_norm %x bias %b {eps = 1.0e-5 : f64, name = "ln"} : (tensor<4x64xf32>, tensor<64xf32>) -> tensor<4x64xf32>
  return %y : tensor<4x64xf32>
}

// CHECK-LABEL: func.func @same_value
// CHECK-DAG: %[[W:.*]] = mx.quantize %arg1 : tensor<64xf32> -> !mx.tensor<64xmxint<4,8,16>>
// CHECK-DAG: %[[B:.*]] = mx.quantize %arg1 : tensor<64xf32> -> !mx.tensor<64xmxint<6,8,32>>
// CHECK: mx.layer_norm %{{.*}} weight %[[W]] bias %[[B]]
func.func @same_value(%x: tensor<4x64xf32>, %g: tensor<64xf32>) -> tensor<4x64xf32> {
  %y = mx.layer_norm %x weight %g bias %g {eps = 1.0e-5 : f64, name = "ln"} : (tensor<4x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<4x64xf32>
  return %y : tensor<4x64xf32>
}

// The softmax mask and the embedding's token ids have no role: never quantized.
// CHECK-LABEL: func.func @no_role
// CHECK: mx.softmax %{{.*}}, mask = %arg1 {{.*}}: !mx.tensor<4x64xmxint8>, tensor<4x64xi1> -> tensor<4x64xf32>
// CHECK: mx.embedding %arg2, %{{.*}} : (tensor<4xi64>, !mx.tensor<8x64xmxint<4,8,16>>) -> tensor<4x64xf32>
func.func @no_role(%x: tensor<4x64xf32>, %m: tensor<4x64xi1>, %ids: tensor<4xi64>, %t: tensor<8x64xf32>) -> (tensor<4x64xf32>, tensor<4x64xf32>) {
  %p = mx.softmax %x, mask = %m {axis = 1 : i64} : tensor<4x64xf32>, tensor<4x64xi1> -> tensor<4x64xf32>
  %e = mx.embedding %ids, %t : (tensor<4xi64>, tensor<8x64xf32>) -> tensor<4x64xf32>
  return %p, %e : tensor<4x64xf32>, tensor<4x64xf32>
}
