// One MX linear layer: tokens 4, in 64, out 64, in mxint8.
func.func @linear_mxint8(%x: !mx.tensor<4x64xmxint8>, %w: !mx.tensor<64x64xmxint8>) -> !mx.tensor<4x64xmxint8> {
  %y = mx.linear %x, %w {acc = #mx.acc<bounded<4>>, name = "fc"} : (!mx.tensor<4x64xmxint8>, !mx.tensor<64x64xmxint8>) -> !mx.tensor<4x64xmxint8>
  return %y : !mx.tensor<4x64xmxint8>
}
