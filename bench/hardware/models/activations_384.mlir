// The other table activations chained on a 32x384 MXINT8 stream: GELU's tanh form,
// then tanh, then sigmoid (three units running at once, one element per cycle each).
func.func @activations_384(%x: !mx.tensor<32x384xmxint8>) -> !mx.tensor<32x384xmxint8> {
  %g = mx.gelu %x {approximate = #mx.approximation<tanh>, name = "act.gelu_tanh"} : !mx.tensor<32x384xmxint8> -> !mx.tensor<32x384xmxint8>
  %t = mx.tanh %g {name = "act.tanh"} : !mx.tensor<32x384xmxint8> -> !mx.tensor<32x384xmxint8>
  %s = mx.sigmoid %t {name = "act.sigmoid"} : !mx.tensor<32x384xmxint8> -> !mx.tensor<32x384xmxint8>
  return %s : !mx.tensor<32x384xmxint8>
}
