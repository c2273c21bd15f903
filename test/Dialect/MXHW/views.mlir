// RUN: mase-opt %s | FileCheck %s
// RUN: mase-opt %s | mase-opt | FileCheck %s
// RUN: mase-opt %s --canonicalize | FileCheck %s --check-prefix=CANON

// Head split of [T, H*D] into [H, T, D], blocks of 16 along D: whole blocks move.
// CHECK-LABEL: func.func @head_split
// CHECK: mxhw.view %{{.*}} [#mxhw.piece<src 0, offsets [0, 0, 0], sizes [4, 16, 16], map (d0, d1, d2) -> (d1, d0 * 16 + d2)>] {name = "q"}
func.func @head_split(%x: !mxhw.stream<!mx.tensor<16x64xmxint<8,8,16>>>) -> !mxhw.stream<!mx.tensor<4x16x16xmxint<8,8,16>>> {
  %q = mxhw.view %x [#mxhw.piece<src 0, offsets [0, 0, 0], sizes [4, 16, 16], map (d0, d1, d2) -> (d1, d0 * 16 + d2)>] {name = "q"}
      : (!mxhw.stream<!mx.tensor<16x64xmxint<8,8,16>>>) -> !mxhw.stream<!mx.tensor<4x16x16xmxint<8,8,16>>>
  return %q : !mxhw.stream<!mx.tensor<4x16x16xmxint<8,8,16>>>
}

// rotate_half of one 16-element head: -x[8:16] then x[0:8] (elements move
// inside their block, some negated).
// CHECK-LABEL: func.func @rotate_half
// CHECK: #mxhw.piece<src 0, offsets [0, 0], sizes [4, 8], map (d0, d1) -> (d0, d1 + 8), negate>
// CHECK-SAME: #mxhw.piece<src 0, offsets [0, 8], sizes [4, 8], map (d0, d1) -> (d0, d1 - 8)>
func.func @rotate_half(%x: !mxhw.stream<!mx.tensor<4x16xmxint<8,8,16>>>) -> !mxhw.stream<!mx.tensor<4x16xmxint<8,8,16>>> {
  %r = mxhw.view %x [#mxhw.piece<src 0, offsets [0, 0], sizes [4, 8], map (d0, d1) -> (d0, d1 + 8), negate>,
                     #mxhw.piece<src 0, offsets [0, 8], sizes [4, 8], map (d0, d1) -> (d0, d1 - 8)>]
      : (!mxhw.stream<!mx.tensor<4x16xmxint<8,8,16>>>) -> !mxhw.stream<!mx.tensor<4x16xmxint<8,8,16>>>
  return %r : !mxhw.stream<!mx.tensor<4x16xmxint<8,8,16>>>
}

// Concatenation of two streams along the tokens; the value of attention
// re-blocked along the tokens (a reblock rounds).
// CHECK-LABEL: func.func @concat_reblock
// CHECK: %[[C:.*]] = mxhw.view %{{.*}}, %{{.*}} [#mxhw.piece<src 0, offsets [0, 0], sizes [4, 16], map (d0, d1) -> (d0, d1)>, #mxhw.piece<src 1, offsets [4, 0], sizes [4, 16], map (d0, d1) -> (d0 - 4, d1)>]
// CHECK: mxhw.reblock %[[C]] [#mxhw.piece<src 0, offsets [0, 0], sizes [16, 8], map (d0, d1) -> (d1, d0)>]
func.func @concat_reblock(%a: !mxhw.stream<!mx.tensor<4x16xmxint<8,8,16>>>, %b: !mxhw.stream<!mx.tensor<4x16xmxint<8,8,16>>>) -> !mxhw.stream<!mx.tensor<16x8xmxint<8,8,8>>> {
  %c = mxhw.view %a, %b [#mxhw.piece<src 0, offsets [0, 0], sizes [4, 16], map (d0, d1) -> (d0, d1)>,
                         #mxhw.piece<src 1, offsets [4, 0], sizes [4, 16], map (d0, d1) -> (d0 - 4, d1)>]
      : (!mxhw.stream<!mx.tensor<4x16xmxint<8,8,16>>>, !mxhw.stream<!mx.tensor<4x16xmxint<8,8,16>>>) -> !mxhw.stream<!mx.tensor<8x16xmxint<8,8,16>>>
  %t = mxhw.reblock %c [#mxhw.piece<src 0, offsets [0, 0], sizes [16, 8], map (d0, d1) -> (d1, d0)>]
      : (!mxhw.stream<!mx.tensor<8x16xmxint<8,8,16>>>) -> !mxhw.stream<!mx.tensor<16x8xmxint<8,8,8>>>
  return %t : !mxhw.stream<!mx.tensor<16x8xmxint<8,8,8>>>
}

// Q.K^T per head with grouped-query attention: 4 query heads share 2 key
// heads; the rhs [..., N, K] is blocked along K.
// CHECK-LABEL: func.func @gqa_scores
// CHECK: mxhw.batch_matmul %{{.*}}, %{{.*}} {acc = #mx.acc<bounded<4>>, name = "scores"} : (!mxhw.stream<!mx.tensor<4x16x16xmxint<8,8,16>>>, !mxhw.stream<!mx.tensor<2x16x16xmxint<8,8,16>>>) -> !mxhw.stream<!mx.tensor<4x16x16xmxint<8,8,16>>>
func.func @gqa_scores(%q: !mxhw.stream<!mx.tensor<4x16x16xmxint<8,8,16>>>, %k: !mxhw.stream<!mx.tensor<2x16x16xmxint<8,8,16>>>) -> !mxhw.stream<!mx.tensor<4x16x16xmxint<8,8,16>>> {
  %s = mxhw.batch_matmul %q, %k {acc = #mx.acc<bounded<4>>, name = "scores"}
      : (!mxhw.stream<!mx.tensor<4x16x16xmxint<8,8,16>>>, !mxhw.stream<!mx.tensor<2x16x16xmxint<8,8,16>>>) -> !mxhw.stream<!mx.tensor<4x16x16xmxint<8,8,16>>>
  return %s : !mxhw.stream<!mx.tensor<4x16x16xmxint<8,8,16>>>
}

// Composition: a view of a view reads the first view's source; the identity
// view of a stream onto its own type folds away.
// CANON-LABEL: func.func @compose
// CANON-SAME: (%[[X:.*]]: !mxhw.stream
// CANON-NEXT: return %[[X]]
func.func @compose(%x: !mxhw.stream<!mx.tensor<16x64xmxint<8,8,16>>>) -> !mxhw.stream<!mx.tensor<16x64xmxint<8,8,16>>> {
  %h = mxhw.view %x [#mxhw.piece<src 0, offsets [0, 0, 0], sizes [4, 16, 16], map (d0, d1, d2) -> (d1, d0 * 16 + d2)>]
      : (!mxhw.stream<!mx.tensor<16x64xmxint<8,8,16>>>) -> !mxhw.stream<!mx.tensor<4x16x16xmxint<8,8,16>>>
  %m = mxhw.view %h [#mxhw.piece<src 0, offsets [0, 0], sizes [16, 64], map (d0, d1) -> (d1 floordiv 16, d0, d1 mod 16)>]
      : (!mxhw.stream<!mx.tensor<4x16x16xmxint<8,8,16>>>) -> !mxhw.stream<!mx.tensor<16x64xmxint<8,8,16>>>
  return %m : !mxhw.stream<!mx.tensor<16x64xmxint<8,8,16>>>
}
