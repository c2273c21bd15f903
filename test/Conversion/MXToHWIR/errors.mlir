// RUN: mase-opt %s --mx-lower-to-hw-loops -split-input-file -verify-diagnostics

// expected-error @+1 {{argument #0: format mxfp4_e2m1 is not supported by the hardware lowering yet (only mxint<M,E,B> formats)}}
func.func @float_format(%x: !mx.tensor<4x32xmxfp4_e2m1>) -> !mx.tensor<4x32xmxfp4_e2m1> {
  %r = mx.relu %x : !mx.tensor<4x32xmxfp4_e2m1> -> !mx.tensor<4x32xmxfp4_e2m1>
  return %r : !mx.tensor<4x32xmxfp4_e2m1>
}

// -----

// expected-error @+1 {{argument #0 must be blocked along its last axis for the hardware lowering}}
func.func @axis(%x: !mx.tensor<32x4xmxint8, axis = 0>) -> !mx.tensor<32x4xmxint8, axis = 0> {
  %r = mx.relu %x : !mx.tensor<32x4xmxint8, axis = 0> -> !mx.tensor<32x4xmxint8, axis = 0>
  return %r : !mx.tensor<32x4xmxint8, axis = 0>
}

// -----

func.func @unsupported(%x: !mx.tensor<4x32xmxint8>) -> !mx.tensor<4x32xmxint8> {
  // expected-error @+1 {{'mx.neg' is not supported by the hardware lowering yet (supported: mx.linear, mx.relu)}}
  %r = mx.neg %x : !mx.tensor<4x32xmxint8> -> !mx.tensor<4x32xmxint8>
  return %r : !mx.tensor<4x32xmxint8>
}

// -----

func.func @passthrough(%x: !mx.tensor<4x32xmxint8>) -> !mx.tensor<4x32xmxint8> {
  // expected-error @+1 {{result #0 must be computed by an op of the function}}
  return %x : !mx.tensor<4x32xmxint8>
}

// -----

// expected-error @+1 {{argument #0 must be an MX tensor for the hardware lowering, got 'tensor<4x32xf32>'}}
func.func @float_arg(%x: tensor<4x32xf32>) -> !mx.tensor<4x32xmxint8> {
  %q = mx.quantize %x : tensor<4x32xf32> -> !mx.tensor<4x32xmxint8>
  return %q : !mx.tensor<4x32xmxint8>
}

// -----

func.func @relu_block(%x: !mx.tensor<4x32xmxint8>) -> !mx.tensor<4x32xmxint<8,8,16>> {
  // expected-error @+1 {{hardware lowering: mx.relu cannot change the block size (32 -> 16)}}
  %r = mx.relu %x : !mx.tensor<4x32xmxint8> -> !mx.tensor<4x32xmxint<8,8,16>>
  return %r : !mx.tensor<4x32xmxint<8,8,16>>
}
