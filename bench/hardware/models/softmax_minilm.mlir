// MiniLM's attention softmax for one sequence: 12 heads x 32 queries x 32 keys, MXINT8,
// the padding mask (computed on the host) broadcast over the heads from a bit memory.
func.func @softmax_minilm(%s: !mx.tensor<1x12x32x32xmxint8>, %m: tensor<1x1x32x32xi1>) -> !mx.tensor<1x12x32x32xmxint8> {
  %p = mx.softmax %s, mask = %m {axis = 3 : i64, name = "attention.softmax"} : !mx.tensor<1x12x32x32xmxint8>, tensor<1x1x32x32xi1> -> !mx.tensor<1x12x32x32xmxint8>
  return %p : !mx.tensor<1x12x32x32xmxint8>
}
