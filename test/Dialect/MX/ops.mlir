// RUN: mase-opt %s | mase-opt | FileCheck %s
// RUN: mase-opt %s --mlir-print-op-generic | mase-opt | FileCheck %s
// RUN: mlir-opt %s --load-dialect-plugin=%mx_plugin | mase-opt | FileCheck %s

// CHECK-LABEL: func.func @quantization
func.func @quantization(%x: tensor<4x64xf32>) -> tensor<4x64xf32> {
  // CHECK: mx.quantize %{{.*}} {name = "q"} : tensor<4x64xf32> -> !mx.tensor<4x64xmxint<4,8,16>>
  %q = mx.quantize %x {name = "q"} : tensor<4x64xf32> -> !mx.tensor<4x64xmxint<4,8,16>>
  // CHECK: mx.quantize %{{.*}} {rounding = #mx.rounding<nearest>} : tensor<4x64xf32> -> !mx.tensor<4x64xmxint<4,8,2>, axis = 0>
  %r = mx.quantize %x {rounding = #mx.rounding<nearest>} : tensor<4x64xf32> -> !mx.tensor<4x64xmxint<4,8,2>, axis = 0>
  // CHECK: mx.cast %{{.*}} : !mx.tensor<4x64xmxint<4,8,16>> -> !mx.tensor<4x64xmxfp4_e2m1>
  %c = mx.cast %q : !mx.tensor<4x64xmxint<4,8,16>> -> !mx.tensor<4x64xmxfp4_e2m1>
  // CHECK: mx.dequantize %{{.*}} : !mx.tensor<4x64xmxfp4_e2m1> -> tensor<4x64xf32>
  %d = mx.dequantize %c : !mx.tensor<4x64xmxfp4_e2m1> -> tensor<4x64xf32>
  return %d : tensor<4x64xf32>
}

// CHECK-LABEL: func.func @constant
func.func @constant() -> !mx.tensor<2x16xmxint<4,8,16>> {
  // CHECK: mx.constant scales(dense<{{\[\[}}127], [130]]> : tensor<2x1xui8>) codes(dense<3> : tensor<2x16xui4>) : !mx.tensor<2x16xmxint<4,8,16>>
  %w = mx.constant scales(dense<[[127], [130]]> : tensor<2x1xui8>) codes(dense<3> : tensor<2x16xui4>) : !mx.tensor<2x16xmxint<4,8,16>>
  return %w : !mx.tensor<2x16xmxint<4,8,16>>
}

// CHECK-LABEL: func.func @contractions
func.func @contractions(%x: tensor<4x64xf32>, %w: tensor<32x64xf32>, %b: tensor<32xf32>,
                        %qx: !mx.tensor<4x64xmxint8>, %qw: !mx.tensor<32x64xmxfp4_e2m1>,
                        %a3: tensor<2x4x8xf32>, %b3: tensor<2x8x5xf32>,
                        %qa: !mx.tensor<4x64xmxint<4,8,16>>, %qb: !mx.tensor<64x8xmxint<4,8,16>, axis = 0>) {
  // CHECK: mx.linear %{{.*}}, %{{.*}}, %{{.*}} {name = "fc"} : (tensor<4x64xf32>, tensor<32x64xf32>, tensor<32xf32>) -> tensor<4x32xf32>
  %0 = mx.linear %x, %w, %b {name = "fc"} : (tensor<4x64xf32>, tensor<32x64xf32>, tensor<32xf32>) -> tensor<4x32xf32>
  // CHECK: mx.linear %{{.*}}, %{{.*}} : (!mx.tensor<4x64xmxint8>, !mx.tensor<32x64xmxfp4_e2m1>) -> !mx.tensor<4x32xmxint8>
  %1 = mx.linear %qx, %qw : (!mx.tensor<4x64xmxint8>, !mx.tensor<32x64xmxfp4_e2m1>) -> !mx.tensor<4x32xmxint8>
  // CHECK: mx.matmul %{{.*}}, %{{.*}} : (!mx.tensor<4x64xmxint<4,8,16>>, !mx.tensor<64x8xmxint<4,8,16>, axis = 0>) -> tensor<4x8xf32>
  %2 = mx.matmul %qa, %qb : (!mx.tensor<4x64xmxint<4,8,16>>, !mx.tensor<64x8xmxint<4,8,16>, axis = 0>) -> tensor<4x8xf32>
  // CHECK: mx.batch_matmul %{{.*}}, %{{.*}} : (tensor<2x4x8xf32>, tensor<2x8x5xf32>) -> tensor<2x4x5xf32>
  %3 = mx.batch_matmul %a3, %b3 : (tensor<2x4x8xf32>, tensor<2x8x5xf32>) -> tensor<2x4x5xf32>
  return
}

// CHECK-LABEL: func.func @elementwise
func.func @elementwise(%x: tensor<2x3x32xf32>, %v: tensor<32xf32>, %s: tensor<f32>,
                       %q: !mx.tensor<2x3x32xmxint8>, %i: tensor<2x3x32xi64>,
                       %q4: !mx.tensor<2x3x32xmxint<4,8,16>>) {
  // CHECK: mx.neg
  %0 = mx.neg %x : tensor<2x3x32xf32> -> tensor<2x3x32xf32>
  // CHECK: mx.abs
  %1 = mx.abs %x : tensor<2x3x32xf32> -> tensor<2x3x32xf32>
  // CHECK: mx.exp
  %2 = mx.exp %x : tensor<2x3x32xf32> -> tensor<2x3x32xf32>
  // CHECK: mx.log
  %3 = mx.log %x : tensor<2x3x32xf32> -> tensor<2x3x32xf32>
  // CHECK: mx.tanh
  %4 = mx.tanh %x : tensor<2x3x32xf32> -> tensor<2x3x32xf32>
  // CHECK: mx.sqrt
  %5 = mx.sqrt %x : tensor<2x3x32xf32> -> tensor<2x3x32xf32>
  // CHECK: mx.rsqrt
  %6 = mx.rsqrt %x : tensor<2x3x32xf32> -> tensor<2x3x32xf32>
  // CHECK: mx.reciprocal
  %7 = mx.reciprocal %x : tensor<2x3x32xf32> -> tensor<2x3x32xf32>
  // CHECK: mx.sin
  %8 = mx.sin %x : tensor<2x3x32xf32> -> tensor<2x3x32xf32>
  // CHECK: mx.cos
  %9 = mx.cos %x : tensor<2x3x32xf32> -> tensor<2x3x32xf32>
  // CHECK: mx.erf
  %10 = mx.erf %x : tensor<2x3x32xf32> -> tensor<2x3x32xf32>
  // CHECK: mx.relu %{{.*}} : !mx.tensor<2x3x32xmxint8> -> !mx.tensor<2x3x32xmxint8>
  %11 = mx.relu %q : !mx.tensor<2x3x32xmxint8> -> !mx.tensor<2x3x32xmxint8>
  // CHECK: mx.sigmoid
  %12 = mx.sigmoid %x : tensor<2x3x32xf32> -> tensor<2x3x32xf32>
  // CHECK: mx.silu %{{.*}} : tensor<2x3x32xf32> -> !mx.tensor<2x3x32xmxint<4,8,16>>
  %13 = mx.silu %x : tensor<2x3x32xf32> -> !mx.tensor<2x3x32xmxint<4,8,16>>
  // CHECK: mx.gelu %{{.*}} : tensor<2x3x32xf32>
  %14 = mx.gelu %x : tensor<2x3x32xf32> -> tensor<2x3x32xf32>
  // CHECK: mx.gelu %{{.*}} {approximate = #mx.approximation<tanh>} : !mx.tensor<2x3x32xmxint8>
  %15 = mx.gelu %q {approximate = #mx.approximation<tanh>} : !mx.tensor<2x3x32xmxint8> -> tensor<2x3x32xf32>
  // CHECK: mx.add %{{.*}}, %{{.*}} : (tensor<2x3x32xf32>, tensor<32xf32>) -> tensor<2x3x32xf32>
  %16 = mx.add %x, %v : (tensor<2x3x32xf32>, tensor<32xf32>) -> tensor<2x3x32xf32>
  // CHECK: mx.sub
  %17 = mx.sub %x, %s : (tensor<2x3x32xf32>, tensor<f32>) -> tensor<2x3x32xf32>
  // CHECK: mx.mul %{{.*}}, %{{.*}} : (!mx.tensor<2x3x32xmxint8>, tensor<2x3x32xf32>) -> !mx.tensor<2x3x32xmxint8>
  %18 = mx.mul %q, %x : (!mx.tensor<2x3x32xmxint8>, tensor<2x3x32xf32>) -> !mx.tensor<2x3x32xmxint8>
  // CHECK: mx.div
  %19 = mx.div %x, %v : (tensor<2x3x32xf32>, tensor<32xf32>) -> tensor<2x3x32xf32>
  // CHECK: mx.max
  %20 = mx.max %x, %v : (tensor<2x3x32xf32>, tensor<32xf32>) -> tensor<2x3x32xf32>
  // CHECK: mx.min
  %21 = mx.min %x, %v : (tensor<2x3x32xf32>, tensor<32xf32>) -> tensor<2x3x32xf32>
  // CHECK: mx.pow
  %22 = mx.pow %x, %s : (tensor<2x3x32xf32>, tensor<f32>) -> tensor<2x3x32xf32>
  // Elementwise values are exact per element: blocks of different sizes need not line up.
  // CHECK: mx.add %{{.*}}, %{{.*}} : (!mx.tensor<2x3x32xmxint8>, !mx.tensor<2x3x32xmxint<4,8,16>>) -> !mx.tensor<2x3x32xmxint<6,8,8>>
  %blocks = mx.add %q, %q4 : (!mx.tensor<2x3x32xmxint8>, !mx.tensor<2x3x32xmxint<4,8,16>>) -> !mx.tensor<2x3x32xmxint<6,8,8>>
  // CHECK: mx.add %{{.*}}, %{{.*}} : (tensor<2x3x32xi64>, tensor<2x3x32xi64>) -> tensor<2x3x32xi64>
  %23 = mx.add %i, %i : (tensor<2x3x32xi64>, tensor<2x3x32xi64>) -> tensor<2x3x32xi64>
  // CHECK: mx.cmp %{{.*}}, %{{.*}} {predicate = #mx.predicate<lt>} : (tensor<2x3x32xf32>, tensor<32xf32>) -> tensor<2x3x32xi1>
  %24 = mx.cmp %x, %v {predicate = #mx.predicate<lt>} : (tensor<2x3x32xf32>, tensor<32xf32>) -> tensor<2x3x32xi1>
  // CHECK: mx.select %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x3x32xi1>, tensor<2x3x32xf32>, tensor<f32>) -> tensor<2x3x32xf32>
  %25 = mx.select %24, %x, %s : (tensor<2x3x32xi1>, tensor<2x3x32xf32>, tensor<f32>) -> tensor<2x3x32xf32>
  return
}

// CHECK-LABEL: func.func @normalization
func.func @normalization(%x: tensor<8x64xf32>, %g: tensor<64xf32>, %b: tensor<64xf32>,
                         %q: !mx.tensor<8x64xmxint8>, %x3: tensor<2x4x8xf32>, %g2: tensor<4x8xf32>) {
  // CHECK: mx.softmax %{{.*}} {axis = 1 : i64} : tensor<8x64xf32> -> tensor<8x64xf32>
  %0 = mx.softmax %x {axis = 1 : i64} : tensor<8x64xf32> -> tensor<8x64xf32>
  // CHECK: mx.softmax %{{.*}}, mask = %{{.*}} {axis = 1 : i64} : tensor<8x64xf32>, tensor<1x64xi1> -> tensor<8x64xf32>
  %m = arith.constant dense<true> : tensor<1x64xi1>
  %00 = mx.softmax %x, mask = %m {axis = 1 : i64} : tensor<8x64xf32>, tensor<1x64xi1> -> tensor<8x64xf32>
  // CHECK: mx.layer_norm %{{.*}} weight %{{.*}} bias %{{.*}} {eps = 1.000000e-05 : f64} : (tensor<8x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<8x64xf32>
  %1 = mx.layer_norm %x weight %g bias %b {eps = 1.0e-5 : f64} : (tensor<8x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<8x64xf32>
  // CHECK: mx.layer_norm %{{.*}} bias %{{.*}} {eps = 1.000000e-05 : f64} : (tensor<8x64xf32>, tensor<64xf32>) -> tensor<8x64xf32>
  %2 = mx.layer_norm %x bias %b {eps = 1.0e-5 : f64} : (tensor<8x64xf32>, tensor<64xf32>) -> tensor<8x64xf32>
  // CHECK: mx.layer_norm %{{.*}} {eps = 1.000000e-05 : f64, normalized_rank = 2 : i64} : (tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  %3 = mx.layer_norm %x3 {eps = 1.0e-5 : f64, normalized_rank = 2 : i64} : (tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  // CHECK: mx.rms_norm %{{.*}} weight %{{.*}} {eps = 9.9999999999999995E-7 : f64} : (!mx.tensor<8x64xmxint8>, tensor<64xf32>) -> !mx.tensor<8x64xmxint8>
  %4 = mx.rms_norm %q weight %g {eps = 1.0e-6 : f64} : (!mx.tensor<8x64xmxint8>, tensor<64xf32>) -> !mx.tensor<8x64xmxint8>
  // CHECK: mx.rms_norm %{{.*}} weight %{{.*}} {eps = {{.*}}, normalized_rank = 2 : i64} : (tensor<2x4x8xf32>, tensor<4x8xf32>) -> tensor<2x4x8xf32>
  %5 = mx.rms_norm %x3 weight %g2 {eps = 1.0e-6 : f64, normalized_rank = 2 : i64} : (tensor<2x4x8xf32>, tensor<4x8xf32>) -> tensor<2x4x8xf32>
  return
}

// CHECK-LABEL: func.func @reductions
func.func @reductions(%x: tensor<2x3x4xf32>) {
  // CHECK: mx.reduce_sum %{{.*}} {axes = array<i64: 2>} : tensor<2x3x4xf32> -> tensor<2x3xf32>
  %0 = mx.reduce_sum %x {axes = array<i64: 2>} : tensor<2x3x4xf32> -> tensor<2x3xf32>
  // CHECK: mx.reduce_mean %{{.*}} {axes = array<i64: 2>, keep_dims = true} : tensor<2x3x4xf32> -> tensor<2x3x1xf32>
  %1 = mx.reduce_mean %x {axes = array<i64: 2>, keep_dims = true} : tensor<2x3x4xf32> -> tensor<2x3x1xf32>
  // CHECK: mx.reduce_max %{{.*}} {axes = array<i64: 0, 2>} : tensor<2x3x4xf32> -> tensor<3xf32>
  %2 = mx.reduce_max %x {axes = array<i64: 0, 2>} : tensor<2x3x4xf32> -> tensor<3xf32>
  // CHECK: mx.reduce_min
  %3 = mx.reduce_min %x {axes = array<i64: 1>} : tensor<2x3x4xf32> -> tensor<2x4xf32>
  return
}

// CHECK-LABEL: func.func @shapes
func.func @shapes(%ids: tensor<1x8xi64>, %table: tensor<100x32xf32>, %x: tensor<2x3x4xf32>,
                  %q: !mx.tensor<2x3x32xmxint8>, %m: tensor<1x1x4xf32>, %i: tensor<2x3x4xi1>) {
  // CHECK: mx.embedding %{{.*}}, %{{.*}} {name = "embeddings.word_embeddings"} : (tensor<1x8xi64>, tensor<100x32xf32>) -> tensor<1x8x32xf32>
  %0 = mx.embedding %ids, %table {name = "embeddings.word_embeddings"} : (tensor<1x8xi64>, tensor<100x32xf32>) -> tensor<1x8x32xf32>
  // CHECK: mx.reshape %{{.*}} : tensor<2x3x4xf32> -> tensor<6x4xf32>
  %1 = mx.reshape %x : tensor<2x3x4xf32> -> tensor<6x4xf32>
  // CHECK: mx.reshape %{{.*}} : !mx.tensor<2x3x32xmxint8> -> !mx.tensor<6x32xmxint8>
  %2 = mx.reshape %q : !mx.tensor<2x3x32xmxint8> -> !mx.tensor<6x32xmxint8>
  // CHECK: mx.transpose %{{.*}} {permutation = array<i64: 0, 2, 1>} : tensor<2x3x4xf32> -> tensor<2x4x3xf32>
  %3 = mx.transpose %x {permutation = array<i64: 0, 2, 1>} : tensor<2x3x4xf32> -> tensor<2x4x3xf32>
  // CHECK: mx.slice %{{.*}} {offsets = array<i64: 0, 1, 0>, sizes = array<i64: 2, 1, 2>, strides = array<i64: 1, 1, 2>} : tensor<2x3x4xf32> -> tensor<2x1x2xf32>
  %4 = mx.slice %x {offsets = array<i64: 0, 1, 0>, sizes = array<i64: 2, 1, 2>, strides = array<i64: 1, 1, 2>} : tensor<2x3x4xf32> -> tensor<2x1x2xf32>
  // CHECK: mx.concat %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x6x4xf32>
  %5 = mx.concat %x, %x {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x6x4xf32>
  // CHECK: mx.broadcast %{{.*}} : tensor<1x1x4xf32> -> tensor<2x3x4xf32>
  %6 = mx.broadcast %m : tensor<1x1x4xf32> -> tensor<2x3x4xf32>
  // CHECK: mx.convert %{{.*}} : tensor<2x3x4xi1> -> tensor<2x3x4xf32>
  %7 = mx.convert %i : tensor<2x3x4xi1> -> tensor<2x3x4xf32>
  return
}

// CHECK-LABEL: func.func @take
func.func @take(%s: tensor<6x4x8xf32>, %m: !mx.tensor<6x4x32xmxint8>, %i: index) {
  // CHECK: mx.take %{{.*}}, %{{.*}} : (tensor<6x4x8xf32>, index) -> tensor<4x8xf32>
  %0 = mx.take %s, %i : (tensor<6x4x8xf32>, index) -> tensor<4x8xf32>
  // CHECK: mx.take %{{.*}}, %{{.*}} : (!mx.tensor<6x4x32xmxint8>, index) -> !mx.tensor<4x32xmxint8>
  %1 = mx.take %m, %i : (!mx.tensor<6x4x32xmxint8>, index) -> !mx.tensor<4x32xmxint8>
  return
}

// CHECK-LABEL: func.func @accumulation
func.func @accumulation(%qx: !mx.tensor<4x64xmxint8>, %qw: !mx.tensor<32x64xmxint8>, %a: !mx.tensor<2x4x64xmxint8>, %b: !mx.tensor<2x64x8xmxint8, axis = 1>) {
  // CHECK: mx.linear %{{.*}}, %{{.*}} {acc = #mx.acc<bounded<0>>}
  %0 = mx.linear %qx, %qw {acc = #mx.acc<bounded<0>>} : (!mx.tensor<4x64xmxint8>, !mx.tensor<32x64xmxint8>) -> tensor<4x32xf32>
  // CHECK: mx.linear %{{.*}}, %{{.*}} {acc = #mx.acc<exact>}
  %1 = mx.linear %qx, %qw {acc = #mx.acc<exact>} : (!mx.tensor<4x64xmxint8>, !mx.tensor<32x64xmxint8>) -> tensor<4x32xf32>
  // CHECK: mx.batch_matmul %{{.*}}, %{{.*}} {acc = #mx.acc<bounded<64>>}
  %2 = mx.batch_matmul %a, %b {acc = #mx.acc<bounded<64>>} : (!mx.tensor<2x4x64xmxint8>, !mx.tensor<2x64x8xmxint8, axis = 1>) -> tensor<2x4x8xf32>
  return
}
