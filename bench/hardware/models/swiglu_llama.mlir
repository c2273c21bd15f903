// llama-tiny's SwiGLU gate: silu(gate) * up on 1x16x128, MXINT8 (a silu unit, then a
// product of two streams).
func.func @swiglu_llama(%g: !mx.tensor<1x16x128xmxint8>, %u: !mx.tensor<1x16x128xmxint8>) -> !mx.tensor<1x16x128xmxint8> {
  %s = mx.silu %g {name = "mlp.act_fn"} : !mx.tensor<1x16x128xmxint8> -> !mx.tensor<1x16x128xmxint8>
  %y = mx.mul %s, %u {name = "mlp.gate_mul"} : (!mx.tensor<1x16x128xmxint8>, !mx.tensor<1x16x128xmxint8>) -> !mx.tensor<1x16x128xmxint8>
  return %y : !mx.tensor<1x16x128xmxint8>
}
