// RUN: mase-opt %s --mx-hw-legalize | FileCheck %s

// CHECK-LABEL: func.func @sink
// CHECK-NEXT: cf.br ^bb1
// CHECK: ^bb1:
// CHECK-NEXT: %[[C:.*]] = arith.constant 1 : i8
// CHECK-NEXT: arith.index_cast %[[C]] : i8 to index
// CHECK: ^bb2:
// CHECK-NEXT: arith.constant 1 : i8
func.func @sink(%m: memref<4xi8>) {
  %c1 = arith.constant 1 : i8
  cf.br ^bb1
^bb1:
  %i = arith.index_cast %c1 : i8 to index
  memref.store %c1, %m[%i] : memref<4xi8>
  cf.br ^bb2
^bb2:
  %j = arith.index_cast %c1 : i8 to index
  memref.store %c1, %m[%j] : memref<4xi8>
  return
}
