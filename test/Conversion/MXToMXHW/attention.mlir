// RUN: mase-opt %s -split-input-file --convert-mx-to-mxhw | FileCheck %s

// Attention after precision assignment: head split and merge, K^T, the value re-blocked
// along the tokens. K^T folds into the head split of K (the unit takes its rhs as
// [..., N, K]); Q and the merge are reorder views; V is one reblock.

// CHECK-LABEL: func.func @attn
// CHECK-SAME: (%[[Q:.*]]: !mxhw.stream<!mx.tensor<8x48xmxint<8,8,16>>>, %[[K:.*]]: !mxhw.stream<!mx.tensor<8x48xmxint<8,8,16>>>, %[[V:.*]]: !mxhw.stream<!mx.tensor<8x48xmxint<8,8,16>>>)
// CHECK: %[[QH:.*]] = mxhw.view %[[Q]] [#mxhw.piece<src 0, offsets [0, 0, 0], sizes [3, 8, 16], map (d0, d1, d2) -> (d1, d0 * 16 + d2)>] : {{.*}} -> !mxhw.stream<!mx.tensor<3x8x16xmxint<8,8,16>>>
// CHECK: %[[KH:.*]] = mxhw.view %[[K]] [#mxhw.piece<src 0, offsets [0, 0, 0], sizes [3, 8, 16], map (d0, d1, d2) -> (d1, d0 * 16 + d2)>] {name = "scores"}
// CHECK: %[[S:.*]] = mxhw.batch_matmul %[[QH]], %[[KH]] {acc = #mx.acc<bounded<4>>, name = "scores"} : (!mxhw.stream<!mx.tensor<3x8x16xmxint<8,8,16>>>, !mxhw.stream<!mx.tensor<3x8x16xmxint<8,8,16>>>) -> !mxhw.stream<!mx.tensor<3x8x8xmxint<8,8,8>>>
// CHECK: %[[VT:.*]] = mxhw.reblock %[[V]] [#mxhw.piece<src 0, offsets [0, 0, 0], sizes [3, 16, 8], map (d0, d1, d2) -> (d2, d0 * 16 + d1)>] {name = "context"} : {{.*}} -> !mxhw.stream<!mx.tensor<3x16x8xmxint<8,8,8>>>
// CHECK: %[[O:.*]] = mxhw.batch_matmul %[[S]], %[[VT]] {name = "context"}
// CHECK: %[[Y:.*]] = mxhw.view %[[O]] [#mxhw.piece<src 0, offsets [0, 0], sizes [8, 48], map (d0, d1) -> (d1 floordiv 16, d0, d1 mod 16)>] {name = "merge"}
// CHECK: return %[[Y]]
func.func @attn(%q: !mx.tensor<8x48xmxint<8,8,16>>, %k: !mx.tensor<8x48xmxint<8,8,16>>, %v: !mx.tensor<8x48xmxint<8,8,16>>) -> !mx.tensor<8x48xmxint<8,8,16>> {
  %qf = mx.dequantize %q : !mx.tensor<8x48xmxint<8,8,16>> -> tensor<8x48xf32>
  %q3 = mx.reshape %qf : tensor<8x48xf32> -> tensor<8x3x16xf32>
  %qh = mx.transpose %q3 {permutation = array<i64: 1, 0, 2>} : tensor<8x3x16xf32> -> tensor<3x8x16xf32>
  %qm = mx.quantize %qh : tensor<3x8x16xf32> -> !mx.tensor<3x8x16xmxint<8,8,16>>
  %kf = mx.dequantize %k : !mx.tensor<8x48xmxint<8,8,16>> -> tensor<8x48xf32>
  %k3 = mx.reshape %kf : tensor<8x48xf32> -> tensor<8x3x16xf32>
  %kt = mx.transpose %k3 {permutation = array<i64: 1, 2, 0>} : tensor<8x3x16xf32> -> tensor<3x16x8xf32>
  %km = mx.quantize %kt : tensor<3x16x8xf32> -> !mx.tensor<3x16x8xmxint<8,8,16>, axis = 1>
  %s = mx.batch_matmul %qm, %km {acc = #mx.acc<bounded<4>>, name = "scores"} : (!mx.tensor<3x8x16xmxint<8,8,16>>, !mx.tensor<3x16x8xmxint<8,8,16>, axis = 1>) -> !mx.tensor<3x8x8xmxint<8,8,8>>
  %vf = mx.dequantize %v : !mx.tensor<8x48xmxint<8,8,16>> -> tensor<8x48xf32>
  %v3 = mx.reshape %vf : tensor<8x48xf32> -> tensor<8x3x16xf32>
  %vh = mx.transpose %v3 {permutation = array<i64: 1, 0, 2>} : tensor<8x3x16xf32> -> tensor<3x8x16xf32>
  %vm = mx.quantize %vh : tensor<3x8x16xf32> -> !mx.tensor<3x8x16xmxint<8,8,8>, axis = 1>
  %o = mx.batch_matmul %s, %vm {name = "context"} : (!mx.tensor<3x8x8xmxint<8,8,8>>, !mx.tensor<3x8x16xmxint<8,8,8>, axis = 1>) -> !mx.tensor<3x8x16xmxint<8,8,16>>
  %of = mx.dequantize %o : !mx.tensor<3x8x16xmxint<8,8,16>> -> tensor<3x8x16xf32>
  %ot = mx.transpose %of {permutation = array<i64: 1, 0, 2>} : tensor<3x8x16xf32> -> tensor<8x3x16xf32>
  %o2 = mx.reshape %ot : tensor<8x3x16xf32> -> tensor<8x48xf32>
  %y = mx.quantize %o2 {name = "merge"} : tensor<8x48xf32> -> !mx.tensor<8x48xmxint<8,8,16>>
  return %y : !mx.tensor<8x48xmxint<8,8,16>>
}

// -----

// Grouped-query attention (repeat_kv: reshape, broadcast, reshape): the key view
// produces the 2 key heads once, the unit serves each to 2 query heads.

// CHECK-LABEL: func.func @gqa
// CHECK: %[[KH:.*]] = mxhw.view %arg1 [#mxhw.piece<src 0, offsets [0, 0, 0], sizes [2, 8, 16], map (d0, d1, d2) -> (d1, d0 * 16 + d2)>] {name = "scores"} : (!mxhw.stream<!mx.tensor<8x32xmxint<8,8,16>>>) -> !mxhw.stream<!mx.tensor<2x8x16xmxint<8,8,16>>>
// CHECK: mxhw.batch_matmul %{{.*}}, %[[KH]] {{.*}} : (!mxhw.stream<!mx.tensor<4x8x16xmxint<8,8,16>>>, !mxhw.stream<!mx.tensor<2x8x16xmxint<8,8,16>>>) -> !mxhw.stream<!mx.tensor<4x8x8xmxint<8,8,8>>>
func.func @gqa(%q: !mx.tensor<8x64xmxint<8,8,16>>, %k: !mx.tensor<8x32xmxint<8,8,16>>) -> !mx.tensor<4x8x8xmxint<8,8,8>> {
  %qf = mx.dequantize %q : !mx.tensor<8x64xmxint<8,8,16>> -> tensor<8x64xf32>
  %q3 = mx.reshape %qf : tensor<8x64xf32> -> tensor<8x4x16xf32>
  %qh = mx.transpose %q3 {permutation = array<i64: 1, 0, 2>} : tensor<8x4x16xf32> -> tensor<4x8x16xf32>
  %qm = mx.quantize %qh : tensor<4x8x16xf32> -> !mx.tensor<4x8x16xmxint<8,8,16>>
  %kf = mx.dequantize %k : !mx.tensor<8x32xmxint<8,8,16>> -> tensor<8x32xf32>
  %k3 = mx.reshape %kf : tensor<8x32xf32> -> tensor<8x2x16xf32>
  %kh = mx.transpose %k3 {permutation = array<i64: 1, 0, 2>} : tensor<8x2x16xf32> -> tensor<2x8x16xf32>
  %k4 = mx.reshape %kh : tensor<2x8x16xf32> -> tensor<2x1x8x16xf32>
  %kb = mx.broadcast %k4 : tensor<2x1x8x16xf32> -> tensor<2x2x8x16xf32>
  %kr = mx.reshape %kb : tensor<2x2x8x16xf32> -> tensor<4x8x16xf32>
  %kt = mx.transpose %kr {permutation = array<i64: 0, 2, 1>} : tensor<4x8x16xf32> -> tensor<4x16x8xf32>
  %km = mx.quantize %kt : tensor<4x16x8xf32> -> !mx.tensor<4x16x8xmxint<8,8,16>, axis = 1>
  %s = mx.batch_matmul %qm, %km {acc = #mx.acc<bounded<4>>, name = "scores"} : (!mx.tensor<4x8x16xmxint<8,8,16>>, !mx.tensor<4x16x8xmxint<8,8,16>, axis = 1>) -> !mx.tensor<4x8x8xmxint<8,8,8>>
  return %s : !mx.tensor<4x8x8xmxint<8,8,8>>
}

// -----

// rotate_half through a flattened head axis: the concatenation splits per head.

// CHECK-LABEL: func.func @rot
// CHECK: mxhw.view %arg0 [#mxhw.piece<src 0, offsets [0, 0], sizes [5, 8], map (d0, d1) -> (d0, d1 + 8)>, #mxhw.piece<src 0, offsets [0, 8], sizes [5, 8], map (d0, d1) -> (d0, d1 - 8)>, #mxhw.piece<src 0, offsets [0, 16], sizes [5, 8], map (d0, d1) -> (d0, d1 + 8)>, #mxhw.piece<src 0, offsets [0, 24], sizes [5, 8], map (d0, d1) -> (d0, d1 - 8)>, #mxhw.piece<src 0, offsets [0, 32], sizes [5, 8], map (d0, d1) -> (d0, d1 + 8)>, #mxhw.piece<src 0, offsets [0, 40], sizes [5, 8], map (d0, d1) -> (d0, d1 - 8)>]
func.func @rot(%x: !mx.tensor<5x48xmxint<8,8,16>>) -> !mx.tensor<5x48xmxint<8,8,16>> {
  %f = mx.dequantize %x : !mx.tensor<5x48xmxint<8,8,16>> -> tensor<5x48xf32>
  %h = mx.reshape %f : tensor<5x48xf32> -> tensor<5x3x16xf32>
  %lo = mx.slice %h {offsets = array<i64: 0, 0, 0>, sizes = array<i64: 5, 3, 8>, strides = array<i64: 1, 1, 1>} : tensor<5x3x16xf32> -> tensor<5x3x8xf32>
  %hi = mx.slice %h {offsets = array<i64: 0, 0, 8>, sizes = array<i64: 5, 3, 8>, strides = array<i64: 1, 1, 1>} : tensor<5x3x16xf32> -> tensor<5x3x8xf32>
  %r = mx.concat %hi, %lo {axis = 2 : i64} : (tensor<5x3x8xf32>, tensor<5x3x8xf32>) -> tensor<5x3x16xf32>
  %r2 = mx.reshape %r : tensor<5x3x16xf32> -> tensor<5x48xf32>
  %q = mx.quantize %r2 : tensor<5x48xf32> -> !mx.tensor<5x48xmxint<8,8,16>>
  return %q : !mx.tensor<5x48xmxint<8,8,16>>
}

// -----

// Two sources in different formats concatenated and transposed into blocks along the
// other axis: one reblock, its sources in operand order.
// CHECK-LABEL: func.func @cat
// CHECK: mxhw.reblock %arg0, %arg1 [#mxhw.piece<src 0, offsets [0, 0], sizes [16, 3], map (d0, d1) -> (d1, d0)>, #mxhw.piece<src 1, offsets [0, 3], sizes [16, 3], map (d0, d1) -> (d1 - 3, d0)>]
func.func @cat(%a: !mx.tensor<3x16xmxint<8,8,8>>, %b: !mx.tensor<3x16xmxint<5,6,4>>) -> !mx.tensor<16x6xmxint<6,8,6>> {
  %fa = mx.dequantize %a : !mx.tensor<3x16xmxint<8,8,8>> -> tensor<3x16xf32>
  %fb = mx.dequantize %b : !mx.tensor<3x16xmxint<5,6,4>> -> tensor<3x16xf32>
  %c = mx.concat %fa, %fb {axis = 0 : i64} : (tensor<3x16xf32>, tensor<3x16xf32>) -> tensor<6x16xf32>
  %t = mx.transpose %c {permutation = array<i64: 1, 0>} : tensor<6x16xf32> -> tensor<16x6xf32>
  %q = mx.quantize %t : tensor<16x6xf32> -> !mx.tensor<16x6xmxint<6,8,6>>
  return %q : !mx.tensor<16x6xmxint<6,8,6>>
}
