// RUN: mase-opt %s --mx-kernel-loop="min-ops=1 report=%t.json" -o /dev/null
// RUN: cat %t.json | FileCheck %s

// The report lists the loops of every function of the module (it used to
// keep only the last function's).

// CHECK:      "loops": [
// CHECK:        "first_op": "f.0.neg",
// CHECK:        "function": "first",
// CHECK:        "layers": 3,
// CHECK:        "first_op": "g.0.neg",
// CHECK:        "function": "second",
// CHECK:        "layers": 2,
// CHECK:      ]

func.func @first(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %n0 = mx.neg %x {name = "f.0.neg"} : tensor<4x8xf32> -> tensor<4x8xf32>
  %r0 = mx.relu %n0 {name = "f.0.relu"} : tensor<4x8xf32> -> tensor<4x8xf32>
  %n1 = mx.neg %r0 {name = "f.1.neg"} : tensor<4x8xf32> -> tensor<4x8xf32>
  %r1 = mx.relu %n1 {name = "f.1.relu"} : tensor<4x8xf32> -> tensor<4x8xf32>
  %n2 = mx.neg %r1 {name = "f.2.neg"} : tensor<4x8xf32> -> tensor<4x8xf32>
  %r2 = mx.relu %n2 {name = "f.2.relu"} : tensor<4x8xf32> -> tensor<4x8xf32>
  return %r2 : tensor<4x8xf32>
}

func.func @second(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %n0 = mx.neg %x {name = "g.0.neg"} : tensor<4x8xf32> -> tensor<4x8xf32>
  %r0 = mx.exp %n0 {name = "g.0.exp"} : tensor<4x8xf32> -> tensor<4x8xf32>
  %n1 = mx.neg %r0 {name = "g.1.neg"} : tensor<4x8xf32> -> tensor<4x8xf32>
  %r1 = mx.exp %n1 {name = "g.1.exp"} : tensor<4x8xf32> -> tensor<4x8xf32>
  return %r1 : tensor<4x8xf32>
}
