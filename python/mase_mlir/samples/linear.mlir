// A small sample: an MLP layer whose activations are MXInt4 (blocks of 16
// with an 8-bit shared exponent) and whose weights are OCP MXFP4.
func.func @mlp(%x: tensor<4x64xf32>, %w: tensor<32x64xf32>, %b: tensor<32xf32>)
    -> !mx.tensor<4x32xmxint<4,8,16>> {
  %qx = mx.quantize %x {name = "mlp.input"} : tensor<4x64xf32> -> !mx.tensor<4x64xmxint<4,8,16>>
  %qw = mx.quantize %w {name = "mlp.fc.weight"} : tensor<32x64xf32> -> !mx.tensor<32x64xmxfp<e2m1,8,16>>
  %y = mx.linear %qx, %qw, %b {name = "mlp.fc"}
      : (!mx.tensor<4x64xmxint<4,8,16>>, !mx.tensor<32x64xmxfp<e2m1,8,16>>, tensor<32xf32>) -> tensor<4x32xf32>
  %r = mx.relu %y {name = "mlp.act"} : tensor<4x32xf32> -> !mx.tensor<4x32xmxint<4,8,16>>
  return %r : !mx.tensor<4x32xmxint<4,8,16>>
}
