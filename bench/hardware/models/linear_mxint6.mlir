// One MX linear layer: tokens 4, in 64, out 64, in mxint<6,8,32>.
func.func @linear_mxint6(%x: !mx.tensor<4x64xmxint<6,8,32>>, %w: !mx.tensor<64x64xmxint<6,8,32>>) -> !mx.tensor<4x64xmxint<6,8,32>> {
  %y = mx.linear %x, %w {acc = #mx.acc<bounded<4>>, name = "fc"} : (!mx.tensor<4x64xmxint<6,8,32>>, !mx.tensor<64x64xmxint<6,8,32>>) -> !mx.tensor<4x64xmxint<6,8,32>>
  return %y : !mx.tensor<4x64xmxint<6,8,32>>
}
