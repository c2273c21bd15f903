// The attention scale: MiniLM's scores (12 heads x 32 x 32, MXINT8) times the f32
// scalar 1/sqrt(32), held exactly by the unit (24-bit significand and exponent).
func.func @mul_scale(%s: !mx.tensor<12x32x32xmxint8>) -> !mx.tensor<12x32x32xmxint8> {
  %c = arith.constant dense<0.176776692> : tensor<f32>
  %y = mx.mul %s, %c {name = "attn.scale"} : (!mx.tensor<12x32x32xmxint8>, tensor<f32>) -> !mx.tensor<12x32x32xmxint8>
  return %y : !mx.tensor<12x32x32xmxint8>
}
