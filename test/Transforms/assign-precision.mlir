// RUN: mase-opt %s --mx-assign-precision=config=%S/Inputs/mlp.json | FileCheck %s
// RUN: mase-opt %s --mx-assign-precision=config=%S/Inputs/mlp.json | mase-opt | FileCheck %s

// An MLP: up projection, activation, down projection. The default quantizes
// every input and weight to MXINT8 and keeps outputs f32; `*.mlp.*` narrows
// the weights to MXInt4 in blocks of 16 (which line up with the activations'
// blocks of 32); the down projection reads MXFP8 and writes MXInt6.

// CHECK-LABEL: func.func @mlp
// CHECK-SAME: (%[[X:.*]]: tensor<4x64xf32>)
// CHECK: %[[QX:.*]] = mx.quantize %[[X]] : tensor<4x64xf32> -> !mx.tensor<4x64xmxint8>
// CHECK: %[[W1:.*]] = mx.constant scales(dense<125> : tensor<128x4xui8>) codes(dense<4> : tensor<128x64xui4>) : !mx.tensor<128x64xmxint<4,8,16>>
// CHECK: %[[H:.*]] = mx.linear %[[QX]], %[[W1]] {name = "layers.0.mlp.up"} : (!mx.tensor<4x64xmxint8>, !mx.tensor<128x64xmxint<4,8,16>>) -> tensor<4x128xf32>
// CHECK: %[[QH:.*]] = mx.quantize %[[H]] : tensor<4x128xf32> -> !mx.tensor<4x128xmxint8>
// CHECK: %[[A:.*]] = mx.relu %[[QH]] {name = "layers.0.mlp.act"} : !mx.tensor<4x128xmxint8> -> tensor<4x128xf32>
// CHECK: %[[QA:.*]] = mx.quantize %[[A]] : tensor<4x128xf32> -> !mx.tensor<4x128xmxfp8_e4m3>
// CHECK: %[[W2:.*]] = mx.constant {{.*}} : !mx.tensor<64x128xmxint<4,8,16>>
// CHECK: %[[Y:.*]] = mx.linear %[[QA]], %[[W2]] {name = "layers.0.mlp.down"} : (!mx.tensor<4x128xmxfp8_e4m3>, !mx.tensor<64x128xmxint<4,8,16>>) -> !mx.tensor<4x64xmxint<6,8,32>>
// CHECK: %[[DY:.*]] = mx.dequantize %[[Y]] : !mx.tensor<4x64xmxint<6,8,32>> -> tensor<4x64xf32>
// CHECK: return %[[DY]]
// CHECK-NOT: arith.constant
func.func @mlp(%x: tensor<4x64xf32>) -> tensor<4x64xf32> {
  %w1 = arith.constant dense<0.25> : tensor<128x64xf32>
  %w2 = arith.constant dense<-0.5> : tensor<64x128xf32>
  %h = mx.linear %x, %w1 {name = "layers.0.mlp.up"} : (tensor<4x64xf32>, tensor<128x64xf32>) -> tensor<4x128xf32>
  %a = mx.relu %h {name = "layers.0.mlp.act"} : tensor<4x128xf32> -> tensor<4x128xf32>
  %y = mx.linear %a, %w2 {name = "layers.0.mlp.down"} : (tensor<4x128xf32>, tensor<64x128xf32>) -> tensor<4x64xf32>
  return %y : tensor<4x64xf32>
}
