// RUN: mase-opt %s -split-input-file --convert-mx-to-mxhw -verify-diagnostics

func.func @unsupported(%x: !mx.tensor<4x64xmxint8>) -> !mx.tensor<4x64xmxint8> {
  // expected-error @+1 {{'mx.log' has no hardware unit (op 'mlp.act'); the hardware implements mx.linear, mx.relu}}
  %y = mx.log %x {name = "mlp.act"} : !mx.tensor<4x64xmxint8> -> !mx.tensor<4x64xmxint8>
  return %y : !mx.tensor<4x64xmxint8>
}

// -----

func.func @float_result(%x: !mx.tensor<4x64xmxint8>, %w: !mx.tensor<32x64xmxint8>) -> tensor<4x32xf32> {
  // expected-error @+1 {{the result must be an MX tensor for the hardware (it has no floats), got 'tensor<4x32xf32>'; give the op an output format}}
  %y = mx.linear %x, %w : (!mx.tensor<4x64xmxint8>, !mx.tensor<32x64xmxint8>) -> tensor<4x32xf32>
  return %y : tensor<4x32xf32>
}

// -----

func.func @computed_weight(%x: !mx.tensor<4x64xmxint8>, %w: !mx.tensor<32x64xmxint8>) -> !mx.tensor<4x32xmxint8> {
  %v = mx.relu %w : !mx.tensor<32x64xmxint8> -> !mx.tensor<32x64xmxint8>
  // expected-error @+1 {{the hardware reads the weight from a memory: it must be an mx.constant (or a kernel loop's layer slice of one) or a function argument, not a computed value}}
  %y = mx.linear %x, %v : (!mx.tensor<4x64xmxint8>, !mx.tensor<32x64xmxint8>) -> !mx.tensor<4x32xmxint8>
  return %y : !mx.tensor<4x32xmxint8>
}

// -----

// expected-error @+1 {{argument #0 must be an MX tensor for the hardware (it has no floats), got 'tensor<4x64xf32>'}}
func.func @float_argument(%x: tensor<4x64xf32>) -> !mx.tensor<4x64xmxint8> {
  %q = mx.quantize %x : tensor<4x64xf32> -> !mx.tensor<4x64xmxint8>
  %y = mx.relu %q : !mx.tensor<4x64xmxint8> -> !mx.tensor<4x64xmxint8>
  return %y : !mx.tensor<4x64xmxint8>
}

// -----

func.func @weight_also_streamed(%x: !mx.tensor<64x64xmxint8>) -> (!mx.tensor<64x64xmxint8>, !mx.tensor<64x64xmxint8>) {
  // expected-error @+1 {{the weight is also streamed to another unit; the hardware reads it from a memory and cannot stream it too}}
  %y = mx.linear %x, %x : (!mx.tensor<64x64xmxint8>, !mx.tensor<64x64xmxint8>) -> !mx.tensor<64x64xmxint8>
  %r = mx.relu %x : !mx.tensor<64x64xmxint8> -> !mx.tensor<64x64xmxint8>
  return %y, %r : !mx.tensor<64x64xmxint8>, !mx.tensor<64x64xmxint8>
}

// -----

func.func @constant_result() -> !mx.tensor<2x32xmxint8> {
  %c = mx.constant scales(dense<127> : tensor<2x1xui8>) codes(dense<1> : tensor<2x32xui8>) : !mx.tensor<2x32xmxint8>
  // expected-error @+1 {{every result must be an MX tensor computed by the hardware, got '!mx.tensor<2x32xmxint8>'}}
  return %c : !mx.tensor<2x32xmxint8>
}

// -----

func.func @broadcast_stream(%x: !mx.tensor<4x64xmxint8>, %y: !mx.tensor<1x64xmxint8>) -> !mx.tensor<4x64xmxint8> {
  // expected-error @+1 {{operand #1 of shape 1x64 is computed and would be broadcast to 4x64; the hardware broadcasts only constants}}
  %z = mx.add %x, %y : (!mx.tensor<4x64xmxint8>, !mx.tensor<1x64xmxint8>) -> !mx.tensor<4x64xmxint8>
  return %z : !mx.tensor<4x64xmxint8>
}

// -----

func.func @constant_operands() -> !mx.tensor<2x32xmxint8> {
  %c = mx.constant scales(dense<127> : tensor<2x1xui8>) codes(dense<1> : tensor<2x32xui8>) : !mx.tensor<2x32xmxint8>
  %s = arith.constant dense<2.0> : tensor<f32>
  // expected-error @+1 {{every operand is a constant; the hardware computes on at least one computed operand}}
  %y = mx.mul %c, %s : (!mx.tensor<2x32xmxint8>, tensor<f32>) -> !mx.tensor<2x32xmxint8>
  return %y : !mx.tensor<2x32xmxint8>
}

// -----

func.func @float_tensor_operand(%x: !mx.tensor<4x64xmxint8>) -> !mx.tensor<4x64xmxint8> {
  %c = arith.constant dense<[[1.0], [2.0], [3.0], [4.0]]> : tensor<4x1xf32>
  // expected-error @+1 {{operand #1 must be an MX tensor for the hardware (it has no floats), got 'tensor<4x1xf32>'}}
  %y = mx.mul %x, %c : (!mx.tensor<4x64xmxint8>, tensor<4x1xf32>) -> !mx.tensor<4x64xmxint8>
  return %y : !mx.tensor<4x64xmxint8>
}

// -----

func.func @float_activation(%x: !mx.tensor<4x64xmxint8>) -> tensor<4x64xf32> {
  // expected-error @+1 {{the result must be an MX tensor for the hardware (it has no floats), got 'tensor<4x64xf32>'; give the op an output format}}
  %y = mx.gelu %x {name = "mlp.act"} : !mx.tensor<4x64xmxint8> -> tensor<4x64xf32>
  return %y : tensor<4x64xf32>
}
