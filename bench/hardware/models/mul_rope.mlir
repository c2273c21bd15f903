// Rotary's x * cos: llama-tiny's query (1 x 4 heads x 16 tokens x 16) times a constant
// table (1 x 1 x 16 x 16) in a memory, broadcast over the heads; mxint<8,8,16>.
func.func @mul_rope(%q: !mx.tensor<1x4x16x16xmxint<8,8,16>>) -> !mx.tensor<1x4x16x16xmxint<8,8,16>> {
  %cos = mx.constant scales(dense<126> : tensor<1x1x16x1xui8>) codes(dense<93> : tensor<1x1x16x16xui8>) : !mx.tensor<1x1x16x16xmxint<8,8,16>>
  %y = mx.mul %q, %cos {name = "rope.cos"} : (!mx.tensor<1x4x16x16xmxint<8,8,16>>, !mx.tensor<1x1x16x16xmxint<8,8,16>>) -> !mx.tensor<1x4x16x16xmxint<8,8,16>>
  return %y : !mx.tensor<1x4x16x16xmxint<8,8,16>>
}
