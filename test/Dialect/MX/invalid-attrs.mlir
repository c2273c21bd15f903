// RUN: mase-opt %s --split-input-file --verify-diagnostics

// The discardable attributes the passes attach (mx.kernel_loop,
// mx.layer_names) are verified by the dialect; any other mx.* is an error.

func.func @kernel_loop_on_func(%x: tensor<4xf32>) -> tensor<4xf32> attributes {mx.kernel_loop} {
  // expected-error @-1 {{'mx.kernel_loop' marks an scf.for, not func.func}}
  return %x : tensor<4xf32>
}

// -----

func.func @kernel_loop_not_unit(%x: tensor<4xf32>) -> tensor<4xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  // expected-error @+1 {{'mx.kernel_loop' must be a unit attribute}}
  %r = scf.for %i = %c0 to %c2 step %c1 iter_args(%h = %x) -> (tensor<4xf32>) {
    scf.yield %h : tensor<4xf32>
  } {mx.kernel_loop = 2 : i64}
  return %r : tensor<4xf32>
}

// -----

func.func @layer_names_not_strings(%x: tensor<4xf32>) -> tensor<4xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %r = scf.for %i = %c0 to %c2 step %c1 iter_args(%h = %x) -> (tensor<4xf32>) {
    // expected-error @+1 {{'mx.layer_names' must be an array of op names (strings)}}
    %y = mx.relu %h {mx.layer_names = [1, 2]} : tensor<4xf32> -> tensor<4xf32>
    scf.yield %y : tensor<4xf32>
  } {mx.kernel_loop}
  return %r : tensor<4xf32>
}

// -----

func.func @layer_names_outside_loop(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'mx.layer_names' belongs to an op in the body of a kernel loop (an scf.for marked 'mx.kernel_loop')}}
  %y = mx.relu %x {mx.layer_names = ["a", "b"], name = "a"} : tensor<4xf32> -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

func.func @layer_names_in_plain_loop(%x: tensor<4xf32>) -> tensor<4xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %r = scf.for %i = %c0 to %c2 step %c1 iter_args(%h = %x) -> (tensor<4xf32>) {
    // expected-error @+1 {{'mx.layer_names' belongs to an op in the body of a kernel loop}}
    %y = mx.relu %h {mx.layer_names = ["a", "b"]} : tensor<4xf32> -> tensor<4xf32>
    scf.yield %y : tensor<4xf32>
  }
  return %r : tensor<4xf32>
}

// -----

func.func @layer_names_count(%x: tensor<4xf32>) -> tensor<4xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %r = scf.for %i = %c0 to %c3 step %c1 iter_args(%h = %x) -> (tensor<4xf32>) {
    // expected-error @+1 {{'mx.layer_names' names 2 layers, but the kernel loop runs 3 times}}
    %y = mx.relu %h {mx.layer_names = ["a", "b"]} : tensor<4xf32> -> tensor<4xf32>
    scf.yield %y : tensor<4xf32>
  } {mx.kernel_loop}
  return %r : tensor<4xf32>
}

// -----

func.func @unknown(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{unknown mx dialect attribute 'mx.layer' (expected 'mx.kernel_loop' or 'mx.layer_names')}}
  %y = mx.relu %x {mx.layer = 0 : i64} : tensor<4xf32> -> tensor<4xf32>
  return %y : tensor<4xf32>
}
