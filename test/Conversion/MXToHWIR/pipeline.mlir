// RUN: mase-opt %s --mx-to-hw-ir | FileCheck %s

// The whole pipeline ends at the cf level: func/cf/arith/memref, integers
// only, no scf, no division, constants sunk into the blocks that use them.
// CHECK-LABEL: func.func @linear(
// CHECK-NOT: scf.
// CHECK: cf.br ^bb1
// CHECK: ^bb1(
// CHECK-NEXT: arith.constant 8 : i5
// CHECK: cf.cond_br
// CHECK: ^bb2:
// CHECK-NEXT: arith.constant
// CHECK: arith.index_cast %{{.*}} : i5 to index
// CHECK: memref.load
// CHECK: memref.store
// CHECK: cf.br ^bb1
// CHECK: ^bb3:
// CHECK-NEXT: return
// CHECK-NOT: arith.div
func.func @linear(%x: !mx.tensor<1x4xmxint<4,8,2>>, %w: !mx.tensor<4x4xmxint<4,8,2>>) -> !mx.tensor<1x4xmxint<4,8,2>> {
  %y = mx.linear %x, %w : (!mx.tensor<1x4xmxint<4,8,2>>, !mx.tensor<4x4xmxint<4,8,2>>) -> !mx.tensor<1x4xmxint<4,8,2>>
  return %y : !mx.tensor<1x4xmxint<4,8,2>>
}
