// llama-tiny's rms_norm: 16 tokens x 64, mxint<8,8,16> in and out and weight, eps 1e-6.
func.func @rms_norm_64(%x: !mx.tensor<16x64xmxint<8,8,16>>, %g: !mx.tensor<64xmxint<8,8,16>>)
    -> !mx.tensor<16x64xmxint<8,8,16>> {
  %y = mx.rms_norm %x weight %g {eps = 9.9999999747524271E-7 : f64, name = "norm"} : (!mx.tensor<16x64xmxint<8,8,16>>, !mx.tensor<64xmxint<8,8,16>>) -> !mx.tensor<16x64xmxint<8,8,16>>
  return %y : !mx.tensor<16x64xmxint<8,8,16>>
}
