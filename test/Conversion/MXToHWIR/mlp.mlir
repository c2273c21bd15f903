// RUN: mase-opt %s --mx-lower-to-hw-loops | FileCheck %s

// linear -> relu -> linear: intermediate tensors become internal memories, one
// loop per op, formats per layer.
// CHECK-LABEL: func.func @mlp(
// CHECK-SAME: memref<16xi72>
// CHECK-SAME: memref<256xi72>
// CHECK-SAME: memref<256xi104>
// CHECK-SAME: memref<16xi72> {mase.mem = {{.*}}role = "output"
// CHECK: %[[H:.*]] = memref.alloc() : memref<16xi104>
// CHECK: scf.for
// CHECK: memref.store %{{.*}}, %[[H]]
// CHECK: } {mase.loop = "linear"}
// CHECK: %[[R:.*]] = memref.alloc() : memref<16xi104>
// CHECK: scf.for
// CHECK: memref.load %[[H]]
// CHECK: arith.select
// CHECK: memref.store %{{.*}}, %[[R]]
// CHECK: } {mase.loop = "relu"}
// CHECK: scf.for
// CHECK: memref.load %[[R]]
// CHECK: } {mase.loop = "linear"}
func.func @mlp(%x: !mx.tensor<4x64xmxint<4,8,16>>, %w1: !mx.tensor<64x64xmxint<4,8,16>>,
               %w2: !mx.tensor<64x64xmxint<6,8,16>>) -> !mx.tensor<4x64xmxint<4,8,16>> {
  %h = mx.linear %x, %w1 : (!mx.tensor<4x64xmxint<4,8,16>>, !mx.tensor<64x64xmxint<4,8,16>>) -> !mx.tensor<4x64xmxint<6,8,16>>
  %r = mx.relu %h : !mx.tensor<4x64xmxint<6,8,16>> -> !mx.tensor<4x64xmxint<6,8,16>>
  %y = mx.linear %r, %w2 : (!mx.tensor<4x64xmxint<6,8,16>>, !mx.tensor<64x64xmxint<6,8,16>>) -> !mx.tensor<4x64xmxint<4,8,16>>
  return %y : !mx.tensor<4x64xmxint<4,8,16>>
}
