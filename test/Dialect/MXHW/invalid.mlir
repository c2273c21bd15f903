// RUN: mase-opt %s -split-input-file -verify-diagnostics

func.func @weight_k(%x: !mxhw.stream<!mx.tensor<4x64xmxint8>>, %w: !mx.tensor<32x32xmxint8>) {
  // expected-error @+1 {{weight K (32) does not match the input's last dimension (64)}}
  %y = mxhw.linear %x, %w : (!mxhw.stream<!mx.tensor<4x64xmxint8>>, !mx.tensor<32x32xmxint8>) -> !mxhw.stream<!mx.tensor<4x32xmxint8>>
  return
}

// -----

func.func @output_shape(%x: !mxhw.stream<!mx.tensor<4x64xmxint8>>, %w: !mx.tensor<32x64xmxint8>) {
  // expected-error @+1 {{output shape must be 4x32, got 4x64}}
  %y = mxhw.linear %x, %w : (!mxhw.stream<!mx.tensor<4x64xmxint8>>, !mx.tensor<32x64xmxint8>) -> !mxhw.stream<!mx.tensor<4x64xmxint8>>
  return
}

// -----

func.func @weight_rank(%x: !mxhw.stream<!mx.tensor<4x64xmxint8>>, %w: !mx.tensor<2x32x64xmxint8>) {
  // expected-error @+1 {{weight must be 2-d [N, K], got 2x32x64}}
  %y = mxhw.linear %x, %w : (!mxhw.stream<!mx.tensor<4x64xmxint8>>, !mx.tensor<2x32x64xmxint8>) -> !mxhw.stream<!mx.tensor<4x32xmxint8>>
  return
}

// -----

func.func @weight_axis(%x: !mxhw.stream<!mx.tensor<4x64xmxint8>>, %w: !mx.tensor<64x64xmxint8, axis = 0>) {
  // expected-error @+1 {{weight must be blocked along its last axis}}
  %y = mxhw.linear %x, %w : (!mxhw.stream<!mx.tensor<4x64xmxint8>>, !mx.tensor<64x64xmxint8, axis = 0>) -> !mxhw.stream<!mx.tensor<4x64xmxint8>>
  return
}

// -----

func.func @bias_shape(%x: !mxhw.stream<!mx.tensor<4x64xmxint8>>, %w: !mx.tensor<32x64xmxint8>, %b: !mx.tensor<64xmxint8>) {
  // expected-error @+1 {{bias shape must be 32, got 64}}
  %y = mxhw.linear %x, %w, %b : (!mxhw.stream<!mx.tensor<4x64xmxint8>>, !mx.tensor<32x64xmxint8>, !mx.tensor<64xmxint8>) -> !mxhw.stream<!mx.tensor<4x32xmxint8>>
  return
}

// -----

func.func @relu_shape(%x: !mxhw.stream<!mx.tensor<4x64xmxint8>>) {
  // expected-error @+1 {{output shape must equal the input shape (4x64), got 2x128}}
  %y = mxhw.relu %x : !mxhw.stream<!mx.tensor<4x64xmxint8>> -> !mxhw.stream<!mx.tensor<2x128xmxint8>>
  return
}

// -----

func.func @stream_of_float(%x: tensor<4x64xf32>) {
  // expected-error @+1 {{operand #0 must be stream of MX blocks}}
  %y = mxhw.relu %x : tensor<4x64xf32> -> !mxhw.stream<!mx.tensor<4x64xmxint8>>
  return
}

// -----

func.func @binary_stream_shape(%x: !mxhw.stream<!mx.tensor<4x64xmxint8>>, %y: !mxhw.stream<!mx.tensor<1x64xmxint8>>) {
  // expected-error @+1 {{the streamed rhs must have the output's shape (4x64), got 1x64}}
  %z = mxhw.add %x, %y : (!mxhw.stream<!mx.tensor<4x64xmxint8>>, !mxhw.stream<!mx.tensor<1x64xmxint8>>) -> !mxhw.stream<!mx.tensor<4x64xmxint8>>
  return
}

// -----

func.func @binary_constant_broadcast(%x: !mxhw.stream<!mx.tensor<4x64xmxint8>>, %c: !mx.tensor<2x64xmxint8>) {
  // expected-error @+1 {{the constant rhs of shape 2x64 must broadcast to the output's shape 4x64 along its leading axes}}
  %z = mxhw.mul %x, %c : (!mxhw.stream<!mx.tensor<4x64xmxint8>>, !mx.tensor<2x64xmxint8>) -> !mxhw.stream<!mx.tensor<4x64xmxint8>>
  return
}

// -----

func.func @binary_constant_axis(%x: !mxhw.stream<!mx.tensor<32x32xmxint8>>, %c: !mx.tensor<32x32xmxint8, axis = 0>) {
  // expected-error @+1 {{rhs must be blocked along its last axis}}
  %z = mxhw.mul %x, %c : (!mxhw.stream<!mx.tensor<32x32xmxint8>>, !mx.tensor<32x32xmxint8, axis = 0>) -> !mxhw.stream<!mx.tensor<32x32xmxint8>>
  return
}

// -----

func.func @binary_no_rhs(%x: !mxhw.stream<!mx.tensor<4x64xmxint8>>) {
  // expected-error @+1 {{needs a second operand or a scalar}}
  %z = mxhw.add %x : (!mxhw.stream<!mx.tensor<4x64xmxint8>>) -> !mxhw.stream<!mx.tensor<4x64xmxint8>>
  return
}

// -----

func.func @binary_both(%x: !mxhw.stream<!mx.tensor<4x64xmxint8>>) {
  // expected-error @+1 {{has both a second operand and a scalar}}
  %z = mxhw.add %x, %x {scalar = 2.0 : f32} : (!mxhw.stream<!mx.tensor<4x64xmxint8>>, !mxhw.stream<!mx.tensor<4x64xmxint8>>) -> !mxhw.stream<!mx.tensor<4x64xmxint8>>
  return
}

// -----

func.func @binary_scalar_first(%x: !mxhw.stream<!mx.tensor<4x64xmxint8>>) {
  // expected-error @+1 {{scalar_first needs a scalar}}
  %z = mxhw.sub %x, %x {scalar_first} : (!mxhw.stream<!mx.tensor<4x64xmxint8>>, !mxhw.stream<!mx.tensor<4x64xmxint8>>) -> !mxhw.stream<!mx.tensor<4x64xmxint8>>
  return
}

// -----

func.func @binary_no_stream(%c: !mx.tensor<4x64xmxint8>) {
  // expected-error @+1 {{needs at least one streamed operand}}
  %z = mxhw.add %c {scalar = 2.0 : f32} : (!mx.tensor<4x64xmxint8>) -> !mxhw.stream<!mx.tensor<4x64xmxint8>>
  return
}

// -----

func.func @binary_output_axis(%x: !mxhw.stream<!mx.tensor<32x32xmxint8>>) {
  // expected-error @+1 {{output must be blocked along its last axis}}
  %z = mxhw.mul %x {scalar = 2.0 : f32} : (!mxhw.stream<!mx.tensor<32x32xmxint8>>) -> !mxhw.stream<!mx.tensor<32x32xmxint8, axis = 0>>
  return
}

// -----

func.func @gelu_shape(%x: !mxhw.stream<!mx.tensor<4x64xmxint8>>) {
  // expected-error @+1 {{output shape must equal the input shape (4x64), got 4x32}}
  %y = mxhw.gelu %x : !mxhw.stream<!mx.tensor<4x64xmxint8>> -> !mxhw.stream<!mx.tensor<4x32xmxint8>>
  return
}

// -----

func.func @sigmoid_axis(%x: !mxhw.stream<!mx.tensor<32x32xmxint8, axis = 0>>) {
  // expected-error @+1 {{input must be blocked along its last axis}}
  %y = mxhw.sigmoid %x : !mxhw.stream<!mx.tensor<32x32xmxint8, axis = 0>> -> !mxhw.stream<!mx.tensor<32x32xmxint8>>
  return
}
