// A two-layer MLP, one MX format per layer: linear (mxint<4,8,16>) -> relu ->
// linear (mxint<6,8,16>); tokens 4, 64 -> 64 -> 64.
func.func @mlp_relu(%x: !mx.tensor<4x64xmxint<4,8,16>>, %w1: !mx.tensor<64x64xmxint<4,8,16>>,
                    %w2: !mx.tensor<64x64xmxint<6,8,16>>) -> !mx.tensor<4x64xmxint<4,8,16>> {
  %h = mx.linear %x, %w1 {acc = #mx.acc<bounded<4>>, name = "fc1"} : (!mx.tensor<4x64xmxint<4,8,16>>, !mx.tensor<64x64xmxint<4,8,16>>) -> !mx.tensor<4x64xmxint<6,8,16>>
  %r = mx.relu %h {name = "act"} : !mx.tensor<4x64xmxint<6,8,16>> -> !mx.tensor<4x64xmxint<6,8,16>>
  %y = mx.linear %r, %w2 {acc = #mx.acc<bounded<4>>, name = "fc2"} : (!mx.tensor<4x64xmxint<6,8,16>>, !mx.tensor<64x64xmxint<6,8,16>>) -> !mx.tensor<4x64xmxint<4,8,16>>
  return %y : !mx.tensor<4x64xmxint<4,8,16>>
}
