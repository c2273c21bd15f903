// RUN: mase-opt %s --pass-pipeline='builtin.module(func.func(mx-hw-boundary),convert-mx-to-mxhw)' | FileCheck %s
// RUN: mase-opt %s --pass-pipeline='builtin.module(func.func(mx-hw-boundary),convert-mx-to-mxhw)' | mase-opt | FileCheck %s

// A float MLP after precision assignment: the boundary moves quantization of
// the input and dequantization of the result to the host; activations become
// streams, constants and weight arguments stay MX tensors in memories.

// CHECK-LABEL: func.func @mlp
// CHECK-SAME: (%[[X:.*]]: !mxhw.stream<!mx.tensor<4x64xmxint8>>, %[[W2:.*]]: !mx.tensor<64x32xmxint<4,8,16>>) -> !mxhw.stream<!mx.tensor<4x64xmxint8>>
// CHECK: %[[W1:.*]] = mx.constant {{.*}} : !mx.tensor<32x64xmxint8>
// CHECK: %[[H:.*]] = mxhw.linear %[[X]], %[[W1]] {acc = #mx.acc<bounded<4>>, name = "fc1"} : (!mxhw.stream<!mx.tensor<4x64xmxint8>>, !mx.tensor<32x64xmxint8>) -> !mxhw.stream<!mx.tensor<4x32xmxint<6,8,16>>>
// CHECK: %[[R:.*]] = mxhw.relu %[[H]] {name = "act"}
// CHECK: %[[Y:.*]] = mxhw.linear %[[R]], %[[W2]] {name = "fc2"}
// CHECK: return %[[Y]] : !mxhw.stream<!mx.tensor<4x64xmxint8>>
func.func @mlp(%x: tensor<4x64xf32>, %w2: !mx.tensor<64x32xmxint<4,8,16>>) -> tensor<4x64xf32> {
  %w1 = mx.constant scales(dense<127> : tensor<32x2xui8>) codes(dense<1> : tensor<32x64xui8>) : !mx.tensor<32x64xmxint8>
  %qx = mx.quantize %x : tensor<4x64xf32> -> !mx.tensor<4x64xmxint8>
  %h = mx.linear %qx, %w1 {acc = #mx.acc<bounded<4>>, name = "fc1"} : (!mx.tensor<4x64xmxint8>, !mx.tensor<32x64xmxint8>) -> !mx.tensor<4x32xmxint<6,8,16>>
  %r = mx.relu %h {name = "act"} : !mx.tensor<4x32xmxint<6,8,16>> -> !mx.tensor<4x32xmxint<6,8,16>>
  %y = mx.linear %r, %w2 {name = "fc2"} : (!mx.tensor<4x32xmxint<6,8,16>>, !mx.tensor<64x32xmxint<4,8,16>>) -> !mx.tensor<4x64xmxint8>
  %dy = mx.dequantize %y : !mx.tensor<4x64xmxint8> -> tensor<4x64xf32>
  return %dy : tensor<4x64xf32>
}
