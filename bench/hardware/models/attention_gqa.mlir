// Grouped-query attention without softmax: 6 query heads share 2 key/value heads
// (Llama/Qwen2's repeat_kv), 16 tokens, head dim 16.
func.func @attn(%a0: !mx.tensor<16x96xmxint<8,8,16>>, %a1: !mx.tensor<16x32xmxint<8,8,16>>, %a2: !mx.tensor<16x32xmxint<8,8,16>>) -> !mx.tensor<16x96xmxint<8,8,16>> {
  %v1 = mx.dequantize %a0 : !mx.tensor<16x96xmxint<8,8,16>> -> tensor<16x96xf32>
  %v2 = mx.reshape %v1 : tensor<16x96xf32> -> tensor<16x6x16xf32>
  %v3 = mx.transpose %v2 {permutation = array<i64: 1, 0, 2>} : tensor<16x6x16xf32> -> tensor<6x16x16xf32>
  %v4 = mx.quantize %v3 : tensor<6x16x16xf32> -> !mx.tensor<6x16x16xmxint<8,8,16>>
  %v5 = mx.dequantize %a1 : !mx.tensor<16x32xmxint<8,8,16>> -> tensor<16x32xf32>
  %v6 = mx.reshape %v5 : tensor<16x32xf32> -> tensor<16x2x16xf32>
  %v7 = mx.transpose %v6 {permutation = array<i64: 1, 0, 2>} : tensor<16x2x16xf32> -> tensor<2x16x16xf32>
  %v8 = mx.reshape %v7 : tensor<2x16x16xf32> -> tensor<2x1x16x16xf32>
  %v9 = mx.broadcast %v8 : tensor<2x1x16x16xf32> -> tensor<2x3x16x16xf32>
  %v10 = mx.reshape %v9 : tensor<2x3x16x16xf32> -> tensor<6x16x16xf32>
  %v11 = mx.transpose %v10 {permutation = array<i64: 0, 2, 1>} : tensor<6x16x16xf32> -> tensor<6x16x16xf32>
  %v12 = mx.quantize %v11 : tensor<6x16x16xf32> -> !mx.tensor<6x16x16xmxint<8,8,16>, axis = 1>
  %v13 = mx.batch_matmul %v4, %v12 {acc = #mx.acc<bounded<4>>, name = "scores"} : (!mx.tensor<6x16x16xmxint<8,8,16>>, !mx.tensor<6x16x16xmxint<8,8,16>, axis = 1>) -> !mx.tensor<6x16x16xmxint<8,8,16>>
  %v14 = mx.dequantize %a2 : !mx.tensor<16x32xmxint<8,8,16>> -> tensor<16x32xf32>
  %v15 = mx.reshape %v14 : tensor<16x32xf32> -> tensor<16x2x16xf32>
  %v16 = mx.transpose %v15 {permutation = array<i64: 1, 0, 2>} : tensor<16x2x16xf32> -> tensor<2x16x16xf32>
  %v17 = mx.reshape %v16 : tensor<2x16x16xf32> -> tensor<2x1x16x16xf32>
  %v18 = mx.broadcast %v17 : tensor<2x1x16x16xf32> -> tensor<2x3x16x16xf32>
  %v19 = mx.reshape %v18 : tensor<2x3x16x16xf32> -> tensor<6x16x16xf32>
  %v20 = mx.quantize %v19 : tensor<6x16x16xf32> -> !mx.tensor<6x16x16xmxint<8,8,16>, axis = 1>
  %v21 = mx.batch_matmul %v13, %v20 {acc = #mx.acc<bounded<4>>, name = "context"} : (!mx.tensor<6x16x16xmxint<8,8,16>>, !mx.tensor<6x16x16xmxint<8,8,16>, axis = 1>) -> !mx.tensor<6x16x16xmxint<8,8,16>>
  %v22 = mx.dequantize %v21 : !mx.tensor<6x16x16xmxint<8,8,16>> -> tensor<6x16x16xf32>
  %v23 = mx.transpose %v22 {permutation = array<i64: 1, 0, 2>} : tensor<6x16x16xf32> -> tensor<16x6x16xf32>
  %v24 = mx.reshape %v23 : tensor<16x6x16xf32> -> tensor<16x96xf32>
  %v25 = mx.quantize %v24 : tensor<16x96xf32> -> !mx.tensor<16x96xmxint<8,8,16>>
  return %v25 : !mx.tensor<16x96xmxint<8,8,16>>
}
