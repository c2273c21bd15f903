// One MX linear at MiniLM's width: 32 tokens, 384 -> 384, MXINT8 (B = 32),
// bounded<4> accumulation, a bias.
func.func @linear_384(%x: !mx.tensor<32x384xmxint8>, %w: !mx.tensor<384x384xmxint8>,
                      %b: !mx.tensor<384xmxint8>) -> !mx.tensor<32x384xmxint8> {
  %y = mx.linear %x, %w, %b {acc = #mx.acc<bounded<4>>, name = "fc"} : (!mx.tensor<32x384xmxint8>, !mx.tensor<384x384xmxint8>, !mx.tensor<384xmxint8>) -> !mx.tensor<32x384xmxint8>
  return %y : !mx.tensor<32x384xmxint8>
}
