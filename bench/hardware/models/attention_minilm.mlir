// MiniLM's attention without softmax: Q.K^T and P.V per head (12 heads, 32 tokens,
// head dim 32), heads split from and merged into [32, 384] MXINT8 activations.
func.func @attn(%a0: !mx.tensor<32x384xmxint8>, %a1: !mx.tensor<32x384xmxint8>, %a2: !mx.tensor<32x384xmxint8>) -> !mx.tensor<32x384xmxint8> {
  %v1 = mx.dequantize %a0 : !mx.tensor<32x384xmxint8> -> tensor<32x384xf32>
  %v2 = mx.reshape %v1 : tensor<32x384xf32> -> tensor<32x12x32xf32>
  %v3 = mx.transpose %v2 {permutation = array<i64: 1, 0, 2>} : tensor<32x12x32xf32> -> tensor<12x32x32xf32>
  %v4 = mx.quantize %v3 : tensor<12x32x32xf32> -> !mx.tensor<12x32x32xmxint8>
  %v5 = mx.dequantize %a1 : !mx.tensor<32x384xmxint8> -> tensor<32x384xf32>
  %v6 = mx.reshape %v5 : tensor<32x384xf32> -> tensor<32x12x32xf32>
  %v7 = mx.transpose %v6 {permutation = array<i64: 1, 0, 2>} : tensor<32x12x32xf32> -> tensor<12x32x32xf32>
  %v8 = mx.transpose %v7 {permutation = array<i64: 0, 2, 1>} : tensor<12x32x32xf32> -> tensor<12x32x32xf32>
  %v9 = mx.quantize %v8 : tensor<12x32x32xf32> -> !mx.tensor<12x32x32xmxint8, axis = 1>
  %v10 = mx.batch_matmul %v4, %v9 {acc = #mx.acc<bounded<4>>, name = "scores"} : (!mx.tensor<12x32x32xmxint8>, !mx.tensor<12x32x32xmxint8, axis = 1>) -> !mx.tensor<12x32x32xmxint8>
  %v11 = mx.dequantize %a2 : !mx.tensor<32x384xmxint8> -> tensor<32x384xf32>
  %v12 = mx.reshape %v11 : tensor<32x384xf32> -> tensor<32x12x32xf32>
  %v13 = mx.transpose %v12 {permutation = array<i64: 1, 0, 2>} : tensor<32x12x32xf32> -> tensor<12x32x32xf32>
  %v14 = mx.quantize %v13 : tensor<12x32x32xf32> -> !mx.tensor<12x32x32xmxint8, axis = 1>
  %v15 = mx.batch_matmul %v10, %v14 {acc = #mx.acc<bounded<4>>, name = "context"} : (!mx.tensor<12x32x32xmxint8>, !mx.tensor<12x32x32xmxint8, axis = 1>) -> !mx.tensor<12x32x32xmxint8>
  %v16 = mx.dequantize %v15 : !mx.tensor<12x32x32xmxint8> -> tensor<12x32x32xf32>
  %v17 = mx.transpose %v16 {permutation = array<i64: 1, 0, 2>} : tensor<12x32x32xf32> -> tensor<32x12x32xf32>
  %v18 = mx.reshape %v17 : tensor<32x12x32xf32> -> tensor<32x384xf32>
  %v19 = mx.quantize %v18 : tensor<32x384xf32> -> !mx.tensor<32x384xmxint8>
  return %v19 : !mx.tensor<32x384xmxint8>
}
