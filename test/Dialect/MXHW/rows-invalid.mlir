// RUN: mase-opt %s -split-input-file -verify-diagnostics

func.func @softmax_shape(%x: !mxhw.stream<!mx.tensor<4x64xmxint8>>) {
  // expected-error @+1 {{output shape must equal the input shape (4x64), got 2x128}}
  %y = mxhw.softmax %x : (!mxhw.stream<!mx.tensor<4x64xmxint8>>) -> !mxhw.stream<!mx.tensor<2x128xmxint8>>
  return
}

// -----

func.func @softmax_axis(%x: !mxhw.stream<!mx.tensor<64x64xmxint8, axis = 0>>) {
  // expected-error @+1 {{input must be blocked along its last axis}}
  %y = mxhw.softmax %x : (!mxhw.stream<!mx.tensor<64x64xmxint8, axis = 0>>) -> !mxhw.stream<!mx.tensor<64x64xmxint8>>
  return
}

// -----

func.func @mask_row(%x: !mxhw.stream<!mx.tensor<4x64xmxint8>>, %m: tensor<4x1xi1>) {
  // expected-error @+1 {{mask of shape 4x1 does not broadcast to the input's shape 4x64 (its last dimension must be the row length)}}
  %y = mxhw.softmax %x mask %m : (!mxhw.stream<!mx.tensor<4x64xmxint8>>, tensor<4x1xi1>) -> !mxhw.stream<!mx.tensor<4x64xmxint8>>
  return
}

// -----

func.func @mask_rank(%x: !mxhw.stream<!mx.tensor<4x64xmxint8>>, %m: tensor<2x4x64xi1>) {
  // expected-error @+1 {{mask of shape 2x4x64 does not broadcast to the input's shape 4x64}}
  %y = mxhw.softmax %x mask %m : (!mxhw.stream<!mx.tensor<4x64xmxint8>>, tensor<2x4x64xi1>) -> !mxhw.stream<!mx.tensor<4x64xmxint8>>
  return
}

// -----

func.func @mask_type(%x: !mxhw.stream<!mx.tensor<4x64xmxint8>>, %m: tensor<4x64xf32>) {
  // expected-error @+1 {{operand #1 must be tensor of i1 in a memory}}
  %y = mxhw.softmax %x mask %m : (!mxhw.stream<!mx.tensor<4x64xmxint8>>, tensor<4x64xf32>) -> !mxhw.stream<!mx.tensor<4x64xmxint8>>
  return
}

// -----

func.func @norm_weight(%x: !mxhw.stream<!mx.tensor<4x64xmxint8>>, %g: !mx.tensor<32xmxint8>) {
  // expected-error @+1 {{weight shape must be 64 (the row length), got 32}}
  %y = mxhw.layer_norm %x weight %g {eps = 1.0e-5 : f64} : (!mxhw.stream<!mx.tensor<4x64xmxint8>>, !mx.tensor<32xmxint8>) -> !mxhw.stream<!mx.tensor<4x64xmxint8>>
  return
}

// -----

func.func @norm_bias(%x: !mxhw.stream<!mx.tensor<4x64xmxint8>>, %b: !mx.tensor<2x32xmxint8>) {
  // expected-error @+1 {{bias shape must be 64 (the row length), got 2x32}}
  %y = mxhw.layer_norm %x bias %b {eps = 1.0e-5 : f64} : (!mxhw.stream<!mx.tensor<4x64xmxint8>>, !mx.tensor<2x32xmxint8>) -> !mxhw.stream<!mx.tensor<4x64xmxint8>>
  return
}

// -----

func.func @norm_eps(%x: !mxhw.stream<!mx.tensor<4x64xmxint8>>) {
  // expected-error @+1 {{eps must be finite and non-negative, got -1.0}}
  %y = mxhw.rms_norm %x {eps = -1.0 : f64} : (!mxhw.stream<!mx.tensor<4x64xmxint8>>) -> !mxhw.stream<!mx.tensor<4x64xmxint8>>
  return
}

// -----

func.func @rms_weight(%x: !mxhw.stream<!mx.tensor<4x64xmxint8>>, %g: !mx.tensor<128xmxint8>) {
  // expected-error @+1 {{weight shape must be 64 (the row length), got 128}}
  %y = mxhw.rms_norm %x weight %g {eps = 1.0e-5 : f64} : (!mxhw.stream<!mx.tensor<4x64xmxint8>>, !mx.tensor<128xmxint8>) -> !mxhw.stream<!mx.tensor<4x64xmxint8>>
  return
}
