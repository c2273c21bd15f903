// RUN: mase-opt %s -split-input-file --convert-mx-to-mxhw -verify-diagnostics
func.func @norm_rank(%x: !mx.tensor<4x2x32xmxint8>) -> !mx.tensor<4x2x32xmxint8> {
  // expected-error @+1 {{the hardware mx.layer_norm normalizes over the last axis only, not the last 2}}
  %y = mx.layer_norm %x {eps = 1.0e-5 : f64, normalized_rank = 2 : i64} : (!mx.tensor<4x2x32xmxint8>) -> !mx.tensor<4x2x32xmxint8>
  return %y : !mx.tensor<4x2x32xmxint8>
}

// -----

func.func @float_weight(%x: !mx.tensor<4x64xmxint8>) -> !mx.tensor<4x64xmxint8> {
  %g = arith.constant dense<1.0> : tensor<64xf32>
  // expected-error @+1 {{operand #1 must be an MX tensor for the hardware (it has no floats), got 'tensor<64xf32>'}}
  %y = mx.rms_norm %x weight %g {eps = 1.0e-6 : f64} : (!mx.tensor<4x64xmxint8>, tensor<64xf32>) -> !mx.tensor<4x64xmxint8>
  return %y : !mx.tensor<4x64xmxint8>
}

// -----

func.func @computed_bias(%x: !mx.tensor<4x64xmxint8>, %b: !mx.tensor<64xmxint8>) -> !mx.tensor<4x64xmxint8> {
  %c = mx.relu %b : !mx.tensor<64xmxint8> -> !mx.tensor<64xmxint8>
  // expected-error @+1 {{the hardware reads the bias from a memory: it must be an mx.constant (or a kernel loop's layer slice of one) or a function argument, not a computed value}}
  %y = mx.layer_norm %x bias %c {eps = 1.0e-5 : f64} : (!mx.tensor<4x64xmxint8>, !mx.tensor<64xmxint8>) -> !mx.tensor<4x64xmxint8>
  return %y : !mx.tensor<4x64xmxint8>
}


// -----

func.func @norm_axis(%x: !mx.tensor<64x64xmxint8, axis = 0>) -> !mx.tensor<64x64xmxint8> {
  // expected-error @+1 {{the hardware mx.rms_norm needs its input and result blocked along the last axis, got '!mx.tensor<64x64xmxint8, axis = 0>'}}
  %y = mx.rms_norm %x {eps = 1.0e-6 : f64} : (!mx.tensor<64x64xmxint8, axis = 0>) -> !mx.tensor<64x64xmxint8>
  return %y : !mx.tensor<64x64xmxint8>
}

// -----

func.func @softmax_axis(%x: !mx.tensor<64x64xmxint8>) -> !mx.tensor<64x64xmxint8> {
  // expected-error @+1 {{the hardware mx.softmax works along the last axis (1), not axis 0}}
  %y = mx.softmax %x {axis = 0 : i64} : !mx.tensor<64x64xmxint8> -> !mx.tensor<64x64xmxint8>
  return %y : !mx.tensor<64x64xmxint8>
}

// -----

func.func @softmax_blocked_axis(%x: !mx.tensor<64x64xmxint8, axis = 0>) -> !mx.tensor<64x64xmxint8> {
  // expected-error @+1 {{the hardware mx.softmax needs its input and result blocked along the last axis, got '!mx.tensor<64x64xmxint8, axis = 0>'}}
  %y = mx.softmax %x {axis = 1 : i64} : !mx.tensor<64x64xmxint8, axis = 0> -> !mx.tensor<64x64xmxint8>
  return %y : !mx.tensor<64x64xmxint8>
}

// -----

func.func @softmax_computed_mask(%x: !mx.tensor<4x64xmxint8>) -> !mx.tensor<4x64xmxint8> {
  %a = arith.constant dense<true> : tensor<4x64xi1>
  // A mask computed in the hardware part: its producer has no unit.
  // expected-error @+1 {{'arith.xori' has no hardware unit}}
  %m = arith.xori %a, %a : tensor<4x64xi1>
  %y = mx.softmax %x, mask = %m {axis = 1 : i64} : !mx.tensor<4x64xmxint8>, tensor<4x64xi1> -> !mx.tensor<4x64xmxint8>
  return %y : !mx.tensor<4x64xmxint8>
}

// -----

func.func @softmax_row_mask(%x: !mx.tensor<4x64xmxint8>, %m: tensor<4x1xi1>) -> !mx.tensor<4x64xmxint8> {
  // expected-error @+1 {{the hardware mx.softmax needs a mask with one bit per position of a row (last dimension 64), got 'tensor<4x1xi1>'}}
  %y = mx.softmax %x, mask = %m {axis = 1 : i64} : !mx.tensor<4x64xmxint8>, tensor<4x1xi1> -> !mx.tensor<4x64xmxint8>
  return %y : !mx.tensor<4x64xmxint8>
}

// -----

// expected-error @+1 {{argument #1 must be an MX tensor for the hardware (it has no floats), got 'tensor<4x64xi1>'}}
func.func @mask_also_computed_with(%x: !mx.tensor<4x64xmxint8>, %m: tensor<4x64xi1>) -> (!mx.tensor<4x64xmxint8>, tensor<4x64xi1>) {
  %n = arith.xori %m, %m : tensor<4x64xi1>
  %y = mx.softmax %x, mask = %m {axis = 1 : i64} : !mx.tensor<4x64xmxint8>, tensor<4x64xi1> -> !mx.tensor<4x64xmxint8>
  return %y, %n : !mx.tensor<4x64xmxint8>, tensor<4x64xi1>
}
