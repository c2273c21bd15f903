// RUN: mase-opt %s --mx-hw-outline -split-input-file -verify-diagnostics
// RUN: not mase-opt %s --mx-hw-outline=layer=blk.9 -split-input-file 2>&1 | FileCheck %s --check-prefix=LAYER

// LAYER: error: mx-hw-outline: no op of 'float' is named 'blk.9' or 'blk.9.*'

// expected-error @+1 {{mx-hw-outline: nothing of 'float' runs on the hardware: the hardware computes on MX tensors, and ops with float results stay on the host (give the ops MX formats in the precision config, their 'output' included)}}
func.func @float(%x: tensor<4x32xf32>) -> tensor<4x32xf32> {
  %r = mx.relu %x {name = "act"} : tensor<4x32xf32> -> tensor<4x32xf32>
  return %r : tensor<4x32xf32>
}

// -----

func.func @ids_from_the_hardware(%x: !mx.tensor<4x32xmxint8>, %t: !mx.tensor<50x32xmxint8>) -> !mx.tensor<4x32x32xmxint8> {
  %r = mx.relu %x {name = "act"} : !mx.tensor<4x32xmxint8> -> !mx.tensor<4x32xmxint8>
  %d = mx.dequantize %r : !mx.tensor<4x32xmxint8> -> tensor<4x32xf32>
  // expected-error @+1 {{'mx.convert' ('to_ids') runs on the host, but it needs values the hardware computes; the host runs embeddings and integer/boolean ops only before the hardware}}
  %i = mx.convert %d {name = "to_ids"} : tensor<4x32xf32> -> tensor<4x32xi64>
  %e = mx.embedding %i, %t {name = "lookup"} : (tensor<4x32xi64>, !mx.tensor<50x32xmxint8>) -> !mx.tensor<4x32x32xmxint8>
  return %e : !mx.tensor<4x32x32xmxint8>
}

// -----

// expected-error @+1 {{mx-hw-outline: the module has several functions ('a', 'b'); outline one model at a time}}
module {
  func.func @a(%x: !mx.tensor<4x32xmxint8>) -> !mx.tensor<4x32xmxint8> {
    return %x : !mx.tensor<4x32xmxint8>
  }
  func.func @b(%x: !mx.tensor<4x32xmxint8>) -> !mx.tensor<4x32xmxint8> {
    return %x : !mx.tensor<4x32xmxint8>
  }
}
