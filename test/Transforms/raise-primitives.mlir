// RUN: mase-opt %s --mx-raise-primitives --split-input-file | FileCheck %s

// Llama's RMSNorm: w * (x * rsqrt(mean(x^2) + eps)).
// CHECK-LABEL: func.func @rms_norm
// CHECK-NEXT: %[[W:.*]] = arith.constant
// CHECK-NEXT: %[[Y:.*]] = mx.rms_norm %arg0 weight %[[W]] {eps = 9.9999999747524271E-7 : f64, name = "model.layers.0.input_layernorm"} : (tensor<1x16x64xf32>, tensor<64xf32>) -> tensor<1x16x64xf32>
// CHECK-NEXT: return %[[Y]]
func.func @rms_norm(%x: tensor<1x16x64xf32>) -> tensor<1x16x64xf32> {
  %two = arith.constant dense<2.0> : tensor<f32>
  %eps = arith.constant dense<1.0e-6> : tensor<f32>
  %w = arith.constant dense<1.5> : tensor<64xf32>
  %0 = mx.pow %x, %two {name = "model.layers.0.input_layernorm.pow"} : (tensor<1x16x64xf32>, tensor<f32>) -> tensor<1x16x64xf32>
  %1 = mx.reduce_mean %0 {axes = array<i64: 2>, keep_dims = true, name = "model.layers.0.input_layernorm.mean"} : tensor<1x16x64xf32> -> tensor<1x16x1xf32>
  %2 = mx.add %1, %eps {name = "model.layers.0.input_layernorm.add"} : (tensor<1x16x1xf32>, tensor<f32>) -> tensor<1x16x1xf32>
  %3 = mx.rsqrt %2 {name = "model.layers.0.input_layernorm.rsqrt"} : tensor<1x16x1xf32> -> tensor<1x16x1xf32>
  %4 = mx.mul %x, %3 {name = "model.layers.0.input_layernorm.mul"} : (tensor<1x16x64xf32>, tensor<1x16x1xf32>) -> tensor<1x16x64xf32>
  %5 = mx.mul %w, %4 {name = "model.layers.0.input_layernorm.mul_1"} : (tensor<64xf32>, tensor<1x16x64xf32>) -> tensor<1x16x64xf32>
  return %5 : tensor<1x16x64xf32>
}

// -----

// Without a weight, and with x * x for the square.
// CHECK-LABEL: func.func @rms_norm_plain
// CHECK: mx.rms_norm %arg0 {eps = 9.9999997473787516E-6 : f64, name = "norm"} : (tensor<4x32xf32>) -> tensor<4x32xf32>
func.func @rms_norm_plain(%x: tensor<4x32xf32>) -> tensor<4x32xf32> {
  %eps = arith.constant dense<1.0e-5> : tensor<f32>
  %0 = mx.mul %x, %x {name = "norm.square"} : (tensor<4x32xf32>, tensor<4x32xf32>) -> tensor<4x32xf32>
  %1 = mx.reduce_mean %0 {axes = array<i64: 1>, keep_dims = true, name = "norm.mean"} : tensor<4x32xf32> -> tensor<4x1xf32>
  %2 = mx.add %eps, %1 {name = "norm.add"} : (tensor<f32>, tensor<4x1xf32>) -> tensor<4x1xf32>
  %3 = mx.rsqrt %2 {name = "norm.rsqrt"} : tensor<4x1xf32> -> tensor<4x1xf32>
  %4 = mx.mul %3, %x {name = "norm.mul"} : (tensor<4x1xf32>, tensor<4x32xf32>) -> tensor<4x32xf32>
  return %4 : tensor<4x32xf32>
}

// -----

// A mean over another axis is not an RMSNorm over the last axis.
// CHECK-LABEL: func.func @not_last_axis
// CHECK-NOT: mx.rms_norm
func.func @not_last_axis(%x: tensor<4x32xf32>) -> tensor<4x32xf32> {
  %eps = arith.constant dense<1.0e-5> : tensor<f32>
  %two = arith.constant dense<2.0> : tensor<f32>
  %0 = mx.pow %x, %two : (tensor<4x32xf32>, tensor<f32>) -> tensor<4x32xf32>
  %1 = mx.reduce_mean %0 {axes = array<i64: 0>, keep_dims = true} : tensor<4x32xf32> -> tensor<1x32xf32>
  %2 = mx.add %1, %eps : (tensor<1x32xf32>, tensor<f32>) -> tensor<1x32xf32>
  %3 = mx.rsqrt %2 : tensor<1x32xf32> -> tensor<1x32xf32>
  %4 = mx.mul %x, %3 : (tensor<4x32xf32>, tensor<1x32xf32>) -> tensor<4x32xf32>
  return %4 : tensor<4x32xf32>
}

// -----

// GPT-2's gelu_new: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
// CHECK-LABEL: func.func @gelu_tanh
// CHECK-NEXT: %[[Y:.*]] = mx.gelu %arg0 {approximate = #mx.approximation<tanh>, name = "transformer.h.0.mlp.act"} : tensor<1x16x256xf32> -> tensor<1x16x256xf32>
// CHECK-NEXT: return %[[Y]]
func.func @gelu_tanh(%x: tensor<1x16x256xf32>) -> tensor<1x16x256xf32> {
  %half = arith.constant dense<0.5> : tensor<f32>
  %three = arith.constant dense<3.0> : tensor<f32>
  %a = arith.constant dense<0.044715> : tensor<f32>
  %k = arith.constant dense<0.797884583> : tensor<f32>
  %one = arith.constant dense<1.0> : tensor<f32>
  %0 = mx.mul %x, %half {name = "transformer.h.0.mlp.act.mul"} : (tensor<1x16x256xf32>, tensor<f32>) -> tensor<1x16x256xf32>
  %1 = mx.pow %x, %three {name = "transformer.h.0.mlp.act.pow"} : (tensor<1x16x256xf32>, tensor<f32>) -> tensor<1x16x256xf32>
  %2 = mx.mul %1, %a {name = "transformer.h.0.mlp.act.mul_1"} : (tensor<1x16x256xf32>, tensor<f32>) -> tensor<1x16x256xf32>
  %3 = mx.add %x, %2 {name = "transformer.h.0.mlp.act.add"} : (tensor<1x16x256xf32>, tensor<1x16x256xf32>) -> tensor<1x16x256xf32>
  %4 = mx.mul %3, %k {name = "transformer.h.0.mlp.act.mul_2"} : (tensor<1x16x256xf32>, tensor<f32>) -> tensor<1x16x256xf32>
  %5 = mx.tanh %4 {name = "transformer.h.0.mlp.act.tanh"} : tensor<1x16x256xf32> -> tensor<1x16x256xf32>
  %6 = mx.add %5, %one {name = "transformer.h.0.mlp.act.add_1"} : (tensor<1x16x256xf32>, tensor<f32>) -> tensor<1x16x256xf32>
  %7 = mx.mul %0, %6 {name = "transformer.h.0.mlp.act.mul_3"} : (tensor<1x16x256xf32>, tensor<1x16x256xf32>) -> tensor<1x16x256xf32>
  return %7 : tensor<1x16x256xf32>
}

// -----

// An intermediate value used elsewhere keeps the elementary ops.
// CHECK-LABEL: func.func @shared_intermediate
// CHECK-NOT: mx.gelu
func.func @shared_intermediate(%x: tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>) {
  %half = arith.constant dense<0.5> : tensor<f32>
  %three = arith.constant dense<3.0> : tensor<f32>
  %a = arith.constant dense<0.044715> : tensor<f32>
  %k = arith.constant dense<0.797884583> : tensor<f32>
  %one = arith.constant dense<1.0> : tensor<f32>
  %0 = mx.mul %x, %half : (tensor<8xf32>, tensor<f32>) -> tensor<8xf32>
  %1 = mx.pow %x, %three : (tensor<8xf32>, tensor<f32>) -> tensor<8xf32>
  %2 = mx.mul %1, %a : (tensor<8xf32>, tensor<f32>) -> tensor<8xf32>
  %3 = mx.add %x, %2 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %4 = mx.mul %3, %k : (tensor<8xf32>, tensor<f32>) -> tensor<8xf32>
  %5 = mx.tanh %4 : tensor<8xf32> -> tensor<8xf32>
  %6 = mx.add %5, %one : (tensor<8xf32>, tensor<f32>) -> tensor<8xf32>
  %7 = mx.mul %0, %6 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  return %7, %5 : tensor<8xf32>, tensor<8xf32>
}

// -----

// After precision assignment the operands are MX tensors: nothing is raised
// (the pattern matches f32 values only), and nothing assumes a ranked tensor.
// CHECK-LABEL: func.func @rms_norm_mx
// CHECK-NOT: mx.rms_norm
// CHECK: return
func.func @rms_norm_mx(%x: !mx.tensor<1x16x64xmxint8>) -> tensor<1x16x64xf32> {
  %two = arith.constant dense<2.0> : tensor<f32>
  %eps = arith.constant dense<1.0e-6> : tensor<f32>
  %w = arith.constant dense<1.5> : tensor<64xf32>
  %0 = mx.pow %x, %two {name = "norm.pow"} : (!mx.tensor<1x16x64xmxint8>, tensor<f32>) -> tensor<1x16x64xf32>
  %1 = mx.reduce_mean %0 {axes = array<i64: 2>, keep_dims = true, name = "norm.mean"} : tensor<1x16x64xf32> -> tensor<1x16x1xf32>
  %2 = mx.add %1, %eps {name = "norm.add"} : (tensor<1x16x1xf32>, tensor<f32>) -> tensor<1x16x1xf32>
  %3 = mx.rsqrt %2 {name = "norm.rsqrt"} : tensor<1x16x1xf32> -> tensor<1x16x1xf32>
  %4 = mx.mul %x, %3 {name = "norm.mul"} : (!mx.tensor<1x16x64xmxint8>, tensor<1x16x1xf32>) -> tensor<1x16x64xf32>
  %5 = mx.mul %w, %4 {name = "norm.mul_1"} : (tensor<64xf32>, tensor<1x16x64xf32>) -> tensor<1x16x64xf32>
  return %5 : tensor<1x16x64xf32>
}
