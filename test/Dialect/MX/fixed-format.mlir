// RUN: mase-opt %s | mase-opt | FileCheck %s
// RUN: mase-opt %s --mlir-print-op-generic | mase-opt | FileCheck %s
// RUN: mase-opt %s --canonicalize | FileCheck %s --check-prefix=FOLD

// fixed<W,F>: static fixed point (W-bit two's complement, F fraction bits, no
// scale), F negative, zero or beyond W; as a type, an attribute, and mixed with
// MX operands in a contraction.

// CHECK-LABEL: func.func @fixed
// CHECK-SAME: !mx.tensor<2x32xfixed<8,5>>
// CHECK-SAME: !mx.tensor<2x32xfixed<8,-3>>
// CHECK-SAME: !mx.tensor<2x32xfixed<16,20>>
// CHECK-SAME: !mx.tensor<3x32xfixed<2,0>, axis = 0>
func.func @fixed(%a: !mx.tensor<2x32xfixed<8,5>>, %b: !mx.tensor<2x32xfixed< 8 , -3 >>,
                 %c: !mx.tensor<2x32xfixed<16,20>>, %d: !mx.tensor<3x32xfixed<2,0>, axis = 0>)
    -> !mx.tensor<2x32xfixed<8,5>> {
  return %a : !mx.tensor<2x32xfixed<8,5>>
}

// CHECK-LABEL: func.func @attribute
// CHECK: fmt = #mx.format<fixed<4,-64>>
func.func @attribute() attributes {fmt = #mx.format<fixed<4,-64>>} {
  return
}

// CHECK-LABEL: func.func @linear
// CHECK: mx.linear %{{.*}}, %{{.*}} : (!mx.tensor<4x64xfixed<8,4>>, !mx.tensor<16x64xmxint<4,8,32>>) -> tensor<4x16xf32>
func.func @linear(%x: !mx.tensor<4x64xfixed<8,4>>, %w: !mx.tensor<16x64xmxint<4,8,32>>)
    -> tensor<4x16xf32> {
  %y = mx.linear %x, %w : (!mx.tensor<4x64xfixed<8,4>>, !mx.tensor<16x64xmxint<4,8,32>>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// A quantized constant folds to its codes; its scales have zero bits (ui0).
// FOLD-LABEL: func.func @fold
// FOLD: mx.constant scales(dense<[0, 0, 0, 0]> : tensor<4xui0>) codes(dense<[8, 248, 127, 0]> : tensor<4xui8>) : !mx.tensor<4xfixed<8,3>>
func.func @fold() -> !mx.tensor<4xfixed<8,3>> {
  %c = arith.constant dense<[1.0, -1.0, 100.0, 0.01]> : tensor<4xf32>
  %q = mx.quantize %c : tensor<4xf32> -> !mx.tensor<4xfixed<8,3>>
  return %q : !mx.tensor<4xfixed<8,3>>
}

// A NaN has no fixed-point code: the quantize stays (the numerics reject it).
// FOLD-LABEL: func.func @nan
// FOLD: mx.quantize
func.func @nan() -> !mx.tensor<2xfixed<8,3>> {
  %c = arith.constant dense<[1.0, 0x7FC00000]> : tensor<2xf32>
  %q = mx.quantize %c : tensor<2xf32> -> !mx.tensor<2xfixed<8,3>>
  return %q : !mx.tensor<2xfixed<8,3>>
}
