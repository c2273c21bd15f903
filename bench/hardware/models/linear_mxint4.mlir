// One MX linear layer: tokens 4, in 64, out 64, in mxint<4,8,16>.
func.func @linear_mxint4(%x: !mx.tensor<4x64xmxint<4,8,16>>, %w: !mx.tensor<64x64xmxint<4,8,16>>) -> !mx.tensor<4x64xmxint<4,8,16>> {
  %y = mx.linear %x, %w {acc = #mx.acc<bounded<4>>, name = "fc"} : (!mx.tensor<4x64xmxint<4,8,16>>, !mx.tensor<64x64xmxint<4,8,16>>) -> !mx.tensor<4x64xmxint<4,8,16>>
  return %y : !mx.tensor<4x64xmxint<4,8,16>>
}
