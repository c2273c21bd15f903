// MiniLM's FFN activation: GELU (erf form) on the intermediate linear's output, 8
// sentences x 32 tokens x 1536, MXINT8 in and out (a 257-point table on [0, 8]).
func.func @gelu_minilm(%x: !mx.tensor<8x32x1536xmxint8>) -> !mx.tensor<8x32x1536xmxint8> {
  %y = mx.gelu %x {name = "intermediate.act"} : !mx.tensor<8x32x1536xmxint8> -> !mx.tensor<8x32x1536xmxint8>
  return %y : !mx.tensor<8x32x1536xmxint8>
}
