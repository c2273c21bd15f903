// A residual add at MiniLM's width: two MXINT8 streams of 32 tokens x 384, MXINT8 out.
func.func @add_384(%x: !mx.tensor<32x384xmxint8>, %h: !mx.tensor<32x384xmxint8>) -> !mx.tensor<32x384xmxint8> {
  %y = mx.add %x, %h {name = "residual"} : (!mx.tensor<32x384xmxint8>, !mx.tensor<32x384xmxint8>) -> !mx.tensor<32x384xmxint8>
  return %y : !mx.tensor<32x384xmxint8>
}
