// RUN: mase-opt %s --mx-lower-to-hw-loops | FileCheck %s
// RUN: mase-opt %s --mx-lower-to-hw-loops=acc-guard-bits=4 | FileCheck %s --check-prefix=GUARD

// One block per memory word: 16 x 4-bit codes + 8-bit scale = i72; the weight
// rows are read in order, one block of 16 MACs per iteration.
// CHECK-LABEL: func.func @linear(
// CHECK-SAME: %{{.*}}: memref<16xi72> {mase.mem = {format = "mxint<4,8,16>", name = "arg0", role = "input", scale_bits = 8 : i64, shape = array<i64: 4, 64>, word_bits = 72 : i64, words = 16 : i64}}
// CHECK-SAME: %{{.*}}: memref<256xi72> {mase.mem = {{.*}}role = "input"
// CHECK-SAME: %{{.*}}: memref<16xi72> {mase.mem = {{.*}}name = "result0", role = "output"
// CHECK-SAME: attributes {mase.hw}
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args({{.*}}) -> (i12, i12, i12, i12, i30, i16, i30,
// CHECK: memref.load %{{.*}} : memref<16xi72>
// CHECK: memref.load %{{.*}} : memref<256xi72>
// 16 element products of 4x4 bits
// CHECK-COUNT-16: arith.muli %{{.*}} : i8
// CHECK: arith.cmpi slt
// CHECK: memref.store %{{.*}} : memref<16xi72>
// CHECK: scf.yield
// CHECK: } {mase.loop = "linear"}
// CHECK-NOT: arith.div
// CHECK: return
// GUARD: iter_args({{.*}}) -> (i12, i12, i12, i12, i18,
func.func @linear(%x: !mx.tensor<4x64xmxint<4,8,16>>, %w: !mx.tensor<64x64xmxint<4,8,16>>) -> !mx.tensor<4x64xmxint<4,8,16>> {
  %y = mx.linear %x, %w : (!mx.tensor<4x64xmxint<4,8,16>>, !mx.tensor<64x64xmxint<4,8,16>>) -> !mx.tensor<4x64xmxint<4,8,16>>
  return %y : !mx.tensor<4x64xmxint<4,8,16>>
}

// Fixed point (one-bit scale: the only valid code is 0): no scale field, no
// exponent logic, an exact accumulator of 8+8+4+2 bits.
// CHECK-LABEL: func.func @fixed(
// CHECK-SAME: memref<16xi128> {mase.mem = {format = "mxint<8,1,16>", {{.*}}scale_bits = 0 : i64
// CHECK: iter_args({{.*}}) -> (i12, i12, i12, i12, i22, i22,
// CHECK: } {mase.loop = "linear"}
func.func @fixed(%x: !mx.tensor<4x64xmxint<8,1,16>>, %w: !mx.tensor<64x64xmxint<8,1,16>>) -> !mx.tensor<4x64xmxint<8,1,16>> {
  %y = mx.linear %x, %w : (!mx.tensor<4x64xmxint<8,1,16>>, !mx.tensor<64x64xmxint<8,1,16>>) -> !mx.tensor<4x64xmxint<8,1,16>>
  return %y : !mx.tensor<4x64xmxint<8,1,16>>
}

// Functions without MX types are left alone.
// CHECK-LABEL: func.func @plain(%{{.*}}: i32) -> i32
func.func @plain(%a: i32) -> i32 {
  return %a : i32
}
