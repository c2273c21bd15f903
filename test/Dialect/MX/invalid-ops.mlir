// RUN: mase-opt %s -split-input-file -verify-diagnostics

func.func @quantize_shape(%x: tensor<4x32xf32>) {
  // expected-error @+1 {{expects operands and results of one shape, got 4x32 and 8x32}}
  %0 = mx.quantize %x : tensor<4x32xf32> -> !mx.tensor<8x32xmxint8>
  return
}

// -----

func.func @quantize_int(%x: tensor<4x32xi32>) {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of 32-bit float values}}
  %0 = mx.quantize %x : tensor<4x32xi32> -> !mx.tensor<4x32xmxint8>
  return
}

// -----

func.func @constant_scales() {
  // expected-error @+1 {{scales have shape 2x2, expected 2x1}}
  %0 = mx.constant scales(dense<127> : tensor<2x2xui8>) codes(dense<0> : tensor<2x16xui4>) : !mx.tensor<2x16xmxint<4,8,16>>
  return
}

// -----

func.func @constant_codes() {
  // expected-error @+1 {{codes must be ui4 for mxint<4,8,16>, got 'ui8'}}
  %0 = mx.constant scales(dense<127> : tensor<2x1xui8>) codes(dense<0> : tensor<2x16xui8>) : !mx.tensor<2x16xmxint<4,8,16>>
  return
}

// -----

// Dense integer attributes may hold `index` elements: an error, not a crash.
func.func @constant_index_codes() {
  // expected-error @+1 {{codes must be ui4 for mxint<4,8,16>, got 'index'}}
  %0 = mx.constant scales(dense<127> : tensor<2x1xui8>) codes(dense<0> : tensor<2x16xindex>) : !mx.tensor<2x16xmxint<4,8,16>>
  return
}

// -----

func.func @constant_vector_codes() {
  // expected-error @+1 {{codes must be a tensor, got 'vector<2x16xui4>'}}
  %0 = mx.constant scales(dense<127> : tensor<2x1xui8>) codes(dense<0> : vector<2x16xui4>) : !mx.tensor<2x16xmxint<4,8,16>>
  return
}

// -----

func.func @linear_features(%x: tensor<4x64xf32>, %w: tensor<32x48xf32>) {
  // expected-error @+1 {{input features 64 do not match weight [N, K] = 32x48}}
  %0 = mx.linear %x, %w : (tensor<4x64xf32>, tensor<32x48xf32>) -> tensor<4x32xf32>
  return
}

// -----

func.func @linear_bias(%x: tensor<4x64xf32>, %w: tensor<32x64xf32>, %b: tensor<64xf32>) {
  // expected-error @+1 {{bias must be [32], got 64}}
  %0 = mx.linear %x, %w, %b : (tensor<4x64xf32>, tensor<32x64xf32>, tensor<64xf32>) -> tensor<4x32xf32>
  return
}

// -----

func.func @linear_result(%x: tensor<4x64xf32>, %w: tensor<32x64xf32>) {
  // expected-error @+1 {{result must be 4x32, got 4x64}}
  %0 = mx.linear %x, %w : (tensor<4x64xf32>, tensor<32x64xf32>) -> tensor<4x64xf32>
  return
}

// -----

func.func @linear_axis(%x: !mx.tensor<32x64xmxint8, axis = 0>, %w: tensor<32x64xf32>) {
  // expected-error @+1 {{input must be blocked along its reduction axis 1, but is blocked along axis 0}}
  %0 = mx.linear %x, %w : (!mx.tensor<32x64xmxint8, axis = 0>, tensor<32x64xf32>) -> tensor<32x32xf32>
  return
}

// -----

func.func @linear_blocks(%x: !mx.tensor<4x96xmxint<4,8,12>>, %w: !mx.tensor<32x96xmxint8>) {
  // expected-error @+1 {{MX operands need block sizes along the reduction axis that divide one another, got mxint<4,8,12> and mxint8}}
  %0 = mx.linear %x, %w : (!mx.tensor<4x96xmxint<4,8,12>>, !mx.tensor<32x96xmxint8>) -> tensor<4x32xf32>
  return
}

// -----

func.func @matmul_rank(%a: tensor<2x4x8xf32>, %b: tensor<2x8x4xf32>) {
  // expected-error @+1 {{operands must have rank 2, got 2x4x8 and 2x8x4}}
  %0 = mx.matmul %a, %b : (tensor<2x4x8xf32>, tensor<2x8x4xf32>) -> tensor<2x4x4xf32>
  return
}

// -----

func.func @matmul_k(%a: tensor<4x8xf32>, %b: tensor<7x4xf32>) {
  // expected-error @+1 {{reduction dimensions differ: 4x8 and 7x4}}
  %0 = mx.matmul %a, %b : (tensor<4x8xf32>, tensor<7x4xf32>) -> tensor<4x4xf32>
  return
}

// -----

func.func @matmul_rhs_axis(%a: tensor<4x32xf32>, %b: !mx.tensor<32x32xmxint8>) {
  // expected-error @+1 {{rhs must be blocked along its reduction axis 0, but is blocked along axis 1}}
  %0 = mx.matmul %a, %b : (tensor<4x32xf32>, !mx.tensor<32x32xmxint8>) -> tensor<4x32xf32>
  return
}

// -----

func.func @bmm_batch(%a: tensor<2x4x8xf32>, %b: tensor<3x8x4xf32>) {
  // expected-error @+1 {{batch dimensions differ: 2x4x8 and 3x8x4}}
  %0 = mx.batch_matmul %a, %b : (tensor<2x4x8xf32>, tensor<3x8x4xf32>) -> tensor<2x4x4xf32>
  return
}

// -----

func.func @add_broadcast(%a: tensor<2x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{operand shapes 2x3 and 4 do not broadcast}}
  %0 = mx.add %a, %b : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @add_result(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{result shape must be the broadcast shape 2x3}}
  %0 = mx.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @unary_shape(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{expects operands and results of one shape, got 2x3 and 3x2}}
  %0 = mx.exp %a : tensor<2x3xf32> -> tensor<3x2xf32>
  return
}

// -----

func.func @gelu(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{expected ::mase::mx::GeluApproximation to be one of: none, tanh}}
  // expected-error @+1 {{failed to parse MX_GeluApproximationAttr parameter 'value'}}
  %0 = mx.gelu %a {approximate = #mx.approximation<fast>} : tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @gelu_string(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{attribute 'approximate' failed to satisfy constraint: how mx.gelu computes the Gaussian CDF}}
  %0 = mx.gelu %a {approximate = "tanh"} : tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @cmp(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{expected ::mase::mx::CmpPredicate to be one of: eq, ne, lt, le, gt, ge}}
  // expected-error @+1 {{failed to parse MX_CmpPredicateAttr parameter 'value'}}
  %0 = mx.cmp %a, %a {predicate = #mx.predicate<lessthan>} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xi1>
  return
}

// -----

func.func @cmp_string(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{attribute 'predicate' failed to satisfy constraint: comparison predicate}}
  %0 = mx.cmp %a, %a {predicate = "lt"} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xi1>
  return
}

// -----

func.func @softmax(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = mx.softmax %a {axis = 2 : i64} : tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @softmax_mask(%a: tensor<2x3xf32>, %m: tensor<4xi1>) {
  // expected-error @+1 {{mask of shape 4 does not broadcast to the input shape 2x3}}
  %0 = mx.softmax %a, mask = %m {axis = 1 : i64} : tensor<2x3xf32>, tensor<4xi1> -> tensor<2x3xf32>
  return
}

// -----

func.func @layer_norm_weight(%a: tensor<2x8xf32>, %g: tensor<4xf32>) {
  // expected-error @+1 {{weight must have shape 8, got 4}}
  %0 = mx.layer_norm %a weight %g {eps = 1.0e-5 : f64} : (tensor<2x8xf32>, tensor<4xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @rms_norm_rank(%a: tensor<2x8xf32>) {
  // expected-error @+1 {{normalized_rank 3 must be in 1..2}}
  %0 = mx.rms_norm %a {eps = 1.0e-5 : f64, normalized_rank = 3 : i64} : (tensor<2x8xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @reduce_repeat(%a: tensor<2x8xf32>) {
  // expected-error @+1 {{axis 1 is repeated}}
  %0 = mx.reduce_sum %a {axes = array<i64: 1, 1>} : tensor<2x8xf32> -> tensor<2xf32>
  return
}

// -----

func.func @reduce_result(%a: tensor<2x8xf32>) {
  // expected-error @+1 {{result must be 2x1, got 2}}
  %0 = mx.reduce_mean %a {axes = array<i64: 1>, keep_dims = true} : tensor<2x8xf32> -> tensor<2xf32>
  return
}

// -----

func.func @embedding(%ids: tensor<1x8xi64>, %t: tensor<100x32xf32>) {
  // expected-error @+1 {{result must be 1x8x32, got 1x8x16}}
  %0 = mx.embedding %ids, %t : (tensor<1x8xi64>, tensor<100x32xf32>) -> tensor<1x8x16xf32>
  return
}

// -----

func.func @reshape(%a: tensor<2x8xf32>) {
  // expected-error @+1 {{cannot reshape 2x8 (16 elements) to 3x5 (15 elements)}}
  %0 = mx.reshape %a : tensor<2x8xf32> -> tensor<3x5xf32>
  return
}

// -----

func.func @transpose(%a: tensor<2x8xf32>) {
  // expected-error @+1 {{permutation is not a permutation of 0..1}}
  %0 = mx.transpose %a {permutation = array<i64: 1, 1>} : tensor<2x8xf32> -> tensor<8x2xf32>
  return
}

// -----

func.func @slice(%a: tensor<2x8xf32>) {
  // expected-error @+1 {{dimension 1: slice runs past the end (8)}}
  %0 = mx.slice %a {offsets = array<i64: 0, 4>, sizes = array<i64: 2, 3>, strides = array<i64: 1, 2>} : tensor<2x8xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @concat(%a: tensor<2x8xf32>, %b: tensor<3x4xf32>) {
  // expected-error @+1 {{inputs differ outside the concatenation axis: 2x8 and 3x4}}
  %0 = mx.concat %a, %b {axis = 1 : i64} : (tensor<2x8xf32>, tensor<3x4xf32>) -> tensor<2x12xf32>
  return
}

// -----

func.func @broadcast(%a: tensor<2x8xf32>) {
  // expected-error @+1 {{cannot broadcast 2x8 to 3x8}}
  %0 = mx.broadcast %a : tensor<2x8xf32> -> tensor<3x8xf32>
  return
}

// -----

func.func @dynamic(%a: tensor<?x8xf32>) {
  // expected-error @+1 {{operand #0 must be f32 tensor or MX block tensor, but got 'tensor<?x8xf32>'}}
  %0 = mx.exp %a : tensor<?x8xf32> -> tensor<?x8xf32>
  return
}

// -----

func.func @take_shape(%s: tensor<3x4x8xf32>, %i: index) {
  // expected-error @+1 {{result must be the input without its leading axis (4x8), got 8x4}}
  %0 = mx.take %s, %i : (tensor<3x4x8xf32>, index) -> tensor<8x4xf32>
  return
}

// -----

func.func @take_axis(%s: !mx.tensor<32x4xmxint8, axis = 0>, %i: index) {
  // expected-error @+1 {{the leading axis of an MX input must not be blocked}}
  %0 = mx.take %s, %i : (!mx.tensor<32x4xmxint8, axis = 0>, index) -> !mx.tensor<4xmxint<8,8,4>>
  return
}

// -----

func.func @take_format(%s: !mx.tensor<3x32xmxint8>, %i: index) {
  // expected-error @+1 {{result must keep the format and block along axis 0}}
  %0 = mx.take %s, %i : (!mx.tensor<3x32xmxint8>, index) -> !mx.tensor<32xmxfp8_e4m3>
  return
}
