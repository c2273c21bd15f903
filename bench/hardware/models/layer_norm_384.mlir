// MiniLM's layer_norm: 32 tokens x 384, MXINT8 in and out, MXINT8 weight and bias
// (arguments: the testbench loads the memories), eps 1e-12.
func.func @layer_norm_384(%x: !mx.tensor<32x384xmxint8>, %g: !mx.tensor<384xmxint8>,
                          %b: !mx.tensor<384xmxint8>) -> !mx.tensor<32x384xmxint8> {
  %y = mx.layer_norm %x weight %g bias %b {eps = 9.9999999999999998E-13 : f64, name = "ln"} : (!mx.tensor<32x384xmxint8>, !mx.tensor<384xmxint8>, !mx.tensor<384xmxint8>) -> !mx.tensor<32x384xmxint8>
  return %y : !mx.tensor<32x384xmxint8>
}
