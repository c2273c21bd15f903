// RUN: mase-opt %s -split-input-file --convert-mx-to-mxhw -verify-diagnostics

func.func @computes(%x: !mx.tensor<4x16xmxint<8,8,16>>) -> !mx.tensor<4x16xmxint<8,8,16>> {
  %f = mx.dequantize %x : !mx.tensor<4x16xmxint<8,8,16>> -> tensor<4x16xf32>
  // expected-error @+1 {{'mx.exp' has no hardware unit; the hardware implements}}
  %e = mx.exp %f : tensor<4x16xf32> -> tensor<4x16xf32>
  %q = mx.quantize %e : tensor<4x16xf32> -> !mx.tensor<4x16xmxint<8,8,16>>
  return %q : !mx.tensor<4x16xmxint<8,8,16>>
}

// -----

func.func @nearest(%x: !mx.tensor<4x16xmxint<8,8,16>>) -> !mx.tensor<16x4xmxint<8,8,4>> {
  %f = mx.dequantize %x : !mx.tensor<4x16xmxint<8,8,16>> -> tensor<4x16xf32>
  %t = mx.transpose %f {permutation = array<i64: 1, 0>} : tensor<4x16xf32> -> tensor<16x4xf32>
  // expected-error @+1 {{the hardware rounds half to even, not with rounding = nearest}}
  %q = mx.quantize %t {rounding = #mx.rounding<nearest>} : tensor<16x4xf32> -> !mx.tensor<16x4xmxint<8,8,4>>
  return %q : !mx.tensor<16x4xmxint<8,8,4>>
}

// -----

func.func @mixed(%x: !mx.tensor<4x16xmxint<8,8,16>>) -> !mx.tensor<8x16xmxint<8,8,16>> {
  %f = mx.dequantize %x : !mx.tensor<4x16xmxint<8,8,16>> -> tensor<4x16xf32>
  %c = arith.constant dense<1.0> : tensor<4x16xf32>
  %cat = mx.concat %f, %c {axis = 0 : i64} : (tensor<4x16xf32>, tensor<4x16xf32>) -> tensor<8x16xf32>
  // expected-error @+1 {{a view mixes constants and computed values; the hardware streams only computed values through views}}
  %q = mx.quantize %cat : tensor<8x16xf32> -> !mx.tensor<8x16xmxint<8,8,16>>
  return %q : !mx.tensor<8x16xmxint<8,8,16>>
}

// -----

// A view's element table has an entry per element: beyond 2^24 it is an error,
// not an allocation of the whole tensor.
func.func @huge_view(%x: !mx.tensor<4096x4096x2xmxint<8,8,2>>) -> !mx.tensor<4096x2x4096xmxint<8,8,2>> {
  %f = mx.dequantize %x : !mx.tensor<4096x4096x2xmxint<8,8,2>> -> tensor<4096x4096x2xf32>
  %t = mx.transpose %f {permutation = array<i64: 0, 2, 1>} : tensor<4096x4096x2xf32> -> tensor<4096x2x4096xf32>
  // expected-error @+1 {{a view of shape 4096x2x4096 has more than 2^24 elements, the limit of the hardware's element tables}}
  %q = mx.quantize %t : tensor<4096x2x4096xf32> -> !mx.tensor<4096x2x4096xmxint<8,8,2>>
  return %q : !mx.tensor<4096x2x4096xmxint<8,8,2>>
}
