// The 8-bit fixed-point baseline with 32 lanes (int8 weights and activations, per-tensor
// scale: mxint<8,1,32> has a one-bit scale whose only code is 0): tokens 4, in 64, out 64.
// Same MACs per cycle as mxint8 / mxint<6,8,32> (one 32-element block per cycle).
func.func @linear_int8_b32(%x: !mx.tensor<4x64xmxint<8,1,32>>, %w: !mx.tensor<64x64xmxint<8,1,32>>) -> !mx.tensor<4x64xmxint<8,1,32>> {
  %y = mx.linear %x, %w {acc = #mx.acc<bounded<4>>, name = "fc"} : (!mx.tensor<4x64xmxint<8,1,32>>, !mx.tensor<64x64xmxint<8,1,32>>) -> !mx.tensor<4x64xmxint<8,1,32>>
  return %y : !mx.tensor<4x64xmxint<8,1,32>>
}
