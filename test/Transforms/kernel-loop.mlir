// RUN: mase-opt %s --mx-kernel-loop=min-ops=1 --split-input-file -verify-diagnostics | FileCheck %s
// RUN: mase-opt %s --mx-kernel-loop=min-ops=1 --mx-unroll-loops --split-input-file | FileCheck %s --check-prefix=UNROLL

// Three residual MLP layers that differ only in their weights become one loop
// of three; the bias, equal in every layer, stays shared.

// CHECK-LABEL: func.func @mlp3
// CHECK-DAG: %[[W:.*]] = arith.constant dense<"0x{{.*}}"> : tensor<3x64x64xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<1.000000e+00> : tensor<64xf32>
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK: %[[OUT:.*]] = scf.for %[[I:.*]] = %[[C0]] to %[[C3]] step %[[C1]] iter_args(%[[H:.*]] = %arg0) -> (tensor<4x64xf32>) {
// CHECK-NEXT: %[[WI:.*]] = mx.take %[[W]], %[[I]] : (tensor<3x64x64xf32>, index) -> tensor<64x64xf32>
// CHECK-NEXT: %[[L:.*]] = mx.linear %[[H]], %[[WI]], %[[B]] {mx.layer_names = ["layers.0.fc", "layers.1.fc", "layers.2.fc"], name = "layers.0.fc"}
// CHECK-NEXT: %[[A:.*]] = mx.relu %[[L]]
// CHECK-NEXT: %[[R:.*]] = mx.add %[[A]], %[[H]]
// CHECK-NEXT: scf.yield %[[R]] : tensor<4x64xf32>
// CHECK-NEXT: } {mx.kernel_loop}
// CHECK: mx.softmax %[[OUT]]

// UNROLL-LABEL: func.func @mlp3
// UNROLL-NOT: scf.for
// UNROLL: %[[H0:.*]] = mx.linear %arg0, %{{.*}}, %{{.*}} {name = "layers.0.fc"}
// UNROLL: %[[A0:.*]] = mx.relu %[[H0]] {name = "layers.0.act"}
// UNROLL: %[[R0:.*]] = mx.add %[[A0]], %arg0 {name = "layers.0.res"}
// UNROLL: %[[W1:.*]] = arith.constant dense<2.500000e-01> : tensor<64x64xf32>
// UNROLL: %[[H1:.*]] = mx.linear %[[R0]], %[[W1]], %{{.*}} {name = "layers.1.fc"}
// UNROLL: mx.add %{{.*}}, %[[R0]] {name = "layers.1.res"}
// UNROLL: mx.linear %{{.*}} {name = "layers.2.fc"}
// UNROLL: mx.softmax
func.func @mlp3(%x: tensor<4x64xf32>) -> tensor<4x64xf32> {
  %w0 = arith.constant dense<0.5> : tensor<64x64xf32>
  %w1 = arith.constant dense<0.25> : tensor<64x64xf32>
  %w2 = arith.constant dense<0.125> : tensor<64x64xf32>
  %b = arith.constant dense<1.0> : tensor<64xf32>
  // expected-remark @+1 {{kernel loop: 3 layers x 3 ops (first: 'layers.0.fc'), 1 weights stacked, 1 constants shared, 1 value(s) carried; a longer chain stopped because the function has no further layer}}
  %h0 = mx.linear %x, %w0, %b {name = "layers.0.fc"} : (tensor<4x64xf32>, tensor<64x64xf32>, tensor<64xf32>) -> tensor<4x64xf32>
  %a0 = mx.relu %h0 {name = "layers.0.act"} : tensor<4x64xf32> -> tensor<4x64xf32>
  %r0 = mx.add %a0, %x {name = "layers.0.res"} : (tensor<4x64xf32>, tensor<4x64xf32>) -> tensor<4x64xf32>
  %h1 = mx.linear %r0, %w1, %b {name = "layers.1.fc"} : (tensor<4x64xf32>, tensor<64x64xf32>, tensor<64xf32>) -> tensor<4x64xf32>
  %a1 = mx.relu %h1 {name = "layers.1.act"} : tensor<4x64xf32> -> tensor<4x64xf32>
  %r1 = mx.add %a1, %r0 {name = "layers.1.res"} : (tensor<4x64xf32>, tensor<4x64xf32>) -> tensor<4x64xf32>
  %h2 = mx.linear %r1, %w2, %b {name = "layers.2.fc"} : (tensor<4x64xf32>, tensor<64x64xf32>, tensor<64xf32>) -> tensor<4x64xf32>
  %a2 = mx.relu %h2 {name = "layers.2.act"} : tensor<4x64xf32> -> tensor<4x64xf32>
  %r2 = mx.add %a2, %r1 {name = "layers.2.res"} : (tensor<4x64xf32>, tensor<4x64xf32>) -> tensor<4x64xf32>
  %o = mx.softmax %r2 {axis = 1 : i64, name = "head"} : tensor<4x64xf32> -> tensor<4x64xf32>
  return %o : tensor<4x64xf32>
}

// -----

// MX weights stack as one mx.constant (the blocked axis moves by one); the
// layer whose output format differs ends the chain (policy=split).

// CHECK-LABEL: func.func @mx_split
// CHECK: mx.constant scales({{.*}} : tensor<2x32x1xui8>) codes({{.*}} : tensor<2x32x32xui8>) : !mx.tensor<2x32x32xmxint8>
// CHECK: scf.for
// CHECK: mx.take %{{.*}}, %{{.*}} : (!mx.tensor<2x32x32xmxint8>, index) -> !mx.tensor<32x32xmxint8>
// CHECK: } {mx.kernel_loop}
// CHECK: mx.linear {{.*}} -> !mx.tensor<2x32xmxint<4,8,32>>
func.func @mx_split(%x: !mx.tensor<2x32xmxint8>) -> !mx.tensor<2x32xmxint<4,8,32>> {
  %w0 = mx.constant scales(dense<127> : tensor<32x1xui8>) codes(dense<1> : tensor<32x32xui8>) : !mx.tensor<32x32xmxint8>
  %w1 = mx.constant scales(dense<126> : tensor<32x1xui8>) codes(dense<2> : tensor<32x32xui8>) : !mx.tensor<32x32xmxint8>
  %w2 = mx.constant scales(dense<125> : tensor<32x1xui8>) codes(dense<3> : tensor<32x32xui8>) : !mx.tensor<32x32xmxint8>
  // expected-remark @+1 {{kernel loop: 2 layers x 1 ops (first: 'l0'), 1 weights stacked, 0 constants shared, 1 value(s) carried; a longer chain stopped because layer 2 differs: mx.linear 'l1' gives !mx.tensor<2x32xmxint8> but mx.linear 'l2' gives !mx.tensor<2x32xmxint<4,8,32>>}}
  %y0 = mx.linear %x, %w0 {name = "l0"} : (!mx.tensor<2x32xmxint8>, !mx.tensor<32x32xmxint8>) -> !mx.tensor<2x32xmxint8>
  %y1 = mx.linear %y0, %w1 {name = "l1"} : (!mx.tensor<2x32xmxint8>, !mx.tensor<32x32xmxint8>) -> !mx.tensor<2x32xmxint8>
  %y2 = mx.linear %y1, %w2 {name = "l2"} : (!mx.tensor<2x32xmxint8>, !mx.tensor<32x32xmxint8>) -> !mx.tensor<2x32xmxint<4,8,32>>
  return %y2 : !mx.tensor<2x32xmxint<4,8,32>>
}

// -----

// No repeated layers: unchanged, with a remark.

// CHECK-LABEL: func.func @distinct
// CHECK-NOT: scf.for
// expected-remark @+1 {{mx-kernel-loop: no chain of identical layers in 'distinct'}}
func.func @distinct(%x: tensor<4x64xf32>) -> tensor<4x64xf32> {
  %a = mx.relu %x {name = "a"} : tensor<4x64xf32> -> tensor<4x64xf32>
  %b = mx.gelu %a {name = "b"} : tensor<4x64xf32> -> tensor<4x64xf32>
  %c = mx.softmax %b {axis = 1 : i64, name = "c"} : tensor<4x64xf32> -> tensor<4x64xf32>
  return %c : tensor<4x64xf32>
}

// -----

// Parallel branches reading the same input are not a chain (nothing is
// carried from one to the next).

// CHECK-LABEL: func.func @parallel
// CHECK-NOT: scf.for
// expected-remark @+1 {{mx-kernel-loop: no chain of identical layers in 'parallel'}}
func.func @parallel(%x: tensor<4x64xf32>) -> (tensor<4x64xf32>, tensor<4x64xf32>) {
  %w0 = arith.constant dense<0.5> : tensor<64x64xf32>
  %w1 = arith.constant dense<0.25> : tensor<64x64xf32>
  %q = mx.linear %x, %w0 {name = "q"} : (tensor<4x64xf32>, tensor<64x64xf32>) -> tensor<4x64xf32>
  %k = mx.linear %x, %w1 {name = "k"} : (tensor<4x64xf32>, tensor<64x64xf32>) -> tensor<4x64xf32>
  return %q, %k : tensor<4x64xf32>, tensor<4x64xf32>
}

// -----

// A layer whose intermediate value is also returned cannot be inside the
// loop: the chain ends with it.

// CHECK-LABEL: func.func @escape
// CHECK: scf.for
// CHECK: } {mx.kernel_loop}
// CHECK: mx.relu
func.func @escape(%x: tensor<4x64xf32>) -> (tensor<4x64xf32>, tensor<4x64xf32>) {
  // expected-remark @+1 {{kernel loop: 2 layers x 2 ops (first: 'l0.a'), 0 weights stacked, 0 constants shared, 1 value(s) carried; a longer chain stopped because layer 2 has a value used outside the chain (mx.exp 'l2.a' is used by func.return)}}
  %a0 = mx.exp %x {name = "l0.a"} : tensor<4x64xf32> -> tensor<4x64xf32>
  %b0 = mx.relu %a0 {name = "l0.b"} : tensor<4x64xf32> -> tensor<4x64xf32>
  %a1 = mx.exp %b0 {name = "l1.a"} : tensor<4x64xf32> -> tensor<4x64xf32>
  %b1 = mx.relu %a1 {name = "l1.b"} : tensor<4x64xf32> -> tensor<4x64xf32>
  %a2 = mx.exp %b1 {name = "l2.a"} : tensor<4x64xf32> -> tensor<4x64xf32>
  %b2 = mx.relu %a2 {name = "l2.b"} : tensor<4x64xf32> -> tensor<4x64xf32>
  return %b2, %a2 : tensor<4x64xf32>, tensor<4x64xf32>
}
