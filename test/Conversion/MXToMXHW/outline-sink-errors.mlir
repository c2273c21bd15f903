// RUN: mase-opt %s --mx-hw-outline=layer=blk -verify-diagnostics

// A host op between the layer's ops that reads the layer and feeds it back: the
// layer is not a contiguous run of ops, and the host op cannot move after it.
func.func @feedback(%x: !mx.tensor<4x32xmxint8>) -> tensor<4x32xf32> {
  %w = mx.constant scales(dense<120> : tensor<32x1xui8>) codes(dense<1> : tensor<32x32xui8>) : !mx.tensor<32x32xmxint8>
  %h = mx.linear %x, %w {name = "blk.a"} : (!mx.tensor<4x32xmxint8>, !mx.tensor<32x32xmxint8>) -> !mx.tensor<4x32xmxint8>
  // expected-error @below {{'mx.relu' ('other.act') uses a value of the hardware part and the part uses its result}}
  %r = mx.relu %h {name = "other.act"} : !mx.tensor<4x32xmxint8> -> !mx.tensor<4x32xmxint8>
  %y = mx.linear %r, %w {name = "blk.b"} : (!mx.tensor<4x32xmxint8>, !mx.tensor<32x32xmxint8>) -> !mx.tensor<4x32xmxint8>
  %d = mx.dequantize %y : !mx.tensor<4x32xmxint8> -> tensor<4x32xf32>
  return %d : tensor<4x32xf32>
}
