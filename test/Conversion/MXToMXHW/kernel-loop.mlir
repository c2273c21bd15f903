// RUN: mase-opt %s --split-input-file --convert-mx-to-mxhw -verify-diagnostics | FileCheck %s
// RUN: not mase-opt %s --split-input-file --mx-hw-outline=loop-body=true 2>&1 | FileCheck %s --check-prefix=BODY

// A kernel loop stays a loop whose carried value is a stream; its layer slices
// of the stacked weights stay memory reads.

// CHECK-LABEL: func.func @loop
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[H:.*]] = %arg0) -> (!mxhw.stream<!mx.tensor<2x32xmxint8>>)
// CHECK: %[[W:.*]] = mx.take %{{.*}}, %[[I]] : (!mx.tensor<3x32x32xmxint8>, index) -> !mx.tensor<32x32xmxint8>
// CHECK: %[[Y:.*]] = mxhw.linear %[[H]], %[[W]]
// CHECK: scf.yield %[[Y]] : !mxhw.stream<!mx.tensor<2x32xmxint8>>
// CHECK: } {mx.kernel_loop}

// BODY-LABEL: func.func @loop
// BODY: scf.for
// BODY: %[[W:.*]] = mx.take
// BODY: call @loop_hw(%{{.*}}, %[[W]])
// BODY: func.func @loop_hw(%{{.*}}: !mx.tensor<2x32xmxint8>, %{{.*}}: !mx.tensor<32x32xmxint8>)
// BODY-NOT: mx.layer_names
// BODY: mx.linear
func.func @loop(%x: !mx.tensor<2x32xmxint8>) -> !mx.tensor<2x32xmxint8> {
  %w = mx.constant scales(dense<127> : tensor<3x32x1xui8>) codes(dense<1> : tensor<3x32x32xui8>) : !mx.tensor<3x32x32xmxint8>
  %c0 = arith.constant 0 : index
  %c3 = arith.constant 3 : index
  %c1 = arith.constant 1 : index
  %r = scf.for %i = %c0 to %c3 step %c1 iter_args(%h = %x) -> (!mx.tensor<2x32xmxint8>) {
    %wi = mx.take %w, %i : (!mx.tensor<3x32x32xmxint8>, index) -> !mx.tensor<32x32xmxint8>
    %y = mx.linear %h, %wi {mx.layer_names = ["l0", "l1", "l2"], name = "l0"} : (!mx.tensor<2x32xmxint8>, !mx.tensor<32x32xmxint8>) -> !mx.tensor<2x32xmxint8>
    scf.yield %y : !mx.tensor<2x32xmxint8>
  } {mx.kernel_loop}
  return %r : !mx.tensor<2x32xmxint8>
}

// -----

// Only kernel loops run in hardware.
func.func @plain(%x: !mx.tensor<2x32xmxint8>) -> !mx.tensor<2x32xmxint8> {
  %c0 = arith.constant 0 : index
  %c3 = arith.constant 3 : index
  %c1 = arith.constant 1 : index
  // expected-error @+1 {{the hardware runs kernel loops (mx.kernel_loop, from mx-kernel-loop) only, not other loops}}
  %r = scf.for %i = %c0 to %c3 step %c1 iter_args(%h = %x) -> (!mx.tensor<2x32xmxint8>) {
    %y = mx.relu %h : !mx.tensor<2x32xmxint8> -> !mx.tensor<2x32xmxint8>
    scf.yield %y : !mx.tensor<2x32xmxint8>
  }
  return %r : !mx.tensor<2x32xmxint8>
}
