// RUN: mase-opt %s --mx-hw-legalize -split-input-file -verify-diagnostics

func.func @div(%a: i8, %b: i8) -> i8 {
  // expected-error @+1 {{'arith.divsi' is not allowed in hardware IR (CIRCT maps integer division wrongly; the lowering must not divide)}}
  %q = arith.divsi %a, %b : i8
  return %q : i8
}

// -----

func.func @float(%a: f32) -> f32 {
  // expected-error @+1 {{type 'f32' is not allowed in hardware IR (signless integers and 1-d integer memrefs only)}}
  %q = arith.addf %a, %a : f32
  return %q : f32
}

// -----

func.func @index_math(%a: i8, %m: memref<4xi8>) -> i8 {
  %i = arith.index_cast %a : i8 to index
  // expected-error @+1 {{index values may only be used as memory subscripts in hardware IR}}
  %j = arith.addi %i, %i : index
  %v = memref.load %m[%j] : memref<4xi8>
  return %v : i8
}

// -----

func.func @scf_left(%n: i8) {
  %c0 = arith.constant 0 : i8
  %c1 = arith.constant 1 : i8
  // expected-error @+1 {{'scf.for' is not allowed in hardware IR (only func/cf/arith/memref load, store and alloc)}}
  scf.for %i = %c0 to %n step %c1 : i8 {
  }
  return
}

// -----

// CHECK-style check without FileCheck: constants used in another block are sunk.
func.func @ok(%m: memref<4xi8>) {
  %c1 = arith.constant 1 : i8
  cf.br ^bb1
^bb1:
  %i = arith.index_cast %c1 : i8 to index
  memref.store %c1, %m[%i] : memref<4xi8>
  return
}
