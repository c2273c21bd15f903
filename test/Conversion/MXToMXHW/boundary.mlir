// RUN: mase-opt %s --pass-pipeline='builtin.module(func.func(mx-hw-boundary))' | FileCheck %s

// An argument used only by quantizes to one type takes that type; one used
// otherwise (or quantized to two types) keeps its own; a dequantized result
// returns the MX value.

// CHECK-LABEL: func.func @boundary
// CHECK-SAME: (%[[A:.*]]: !mx.tensor<4x32xmxint8>, %[[B:.*]]: tensor<4x32xf32>, %[[C:.*]]: tensor<4x32xf32>) -> (!mx.tensor<4x32xmxint8>, tensor<4x32xf32>)
// CHECK-NOT: mx.quantize %[[A]]
// CHECK: %[[RA:.*]] = mx.relu %[[A]]
// CHECK: %[[SA:.*]] = mx.add %[[RA]], %[[A]]
// CHECK: mx.quantize %[[B]] : tensor<4x32xf32> -> !mx.tensor<4x32xmxint8>
// CHECK: mx.quantize %[[B]] : tensor<4x32xf32> -> !mx.tensor<4x32xmxint<4,8,16>>
// CHECK: %[[R:.*]] = mx.relu %[[SA]]
// CHECK-NOT: mx.dequantize %[[R]]
// CHECK: return %[[R]], %[[C]]
func.func @boundary(%a: tensor<4x32xf32>, %b: tensor<4x32xf32>, %c: tensor<4x32xf32>) -> (tensor<4x32xf32>, tensor<4x32xf32>) {
  %qa = mx.quantize %a : tensor<4x32xf32> -> !mx.tensor<4x32xmxint8>
  %qa2 = mx.quantize %a : tensor<4x32xf32> -> !mx.tensor<4x32xmxint8>
  %ra = mx.relu %qa : !mx.tensor<4x32xmxint8> -> !mx.tensor<4x32xmxint8>
  %sa = mx.add %ra, %qa2 : (!mx.tensor<4x32xmxint8>, !mx.tensor<4x32xmxint8>) -> !mx.tensor<4x32xmxint8>
  %qb = mx.quantize %b : tensor<4x32xf32> -> !mx.tensor<4x32xmxint8>
  %qb2 = mx.quantize %b : tensor<4x32xf32> -> !mx.tensor<4x32xmxint<4,8,16>>
  %rb = mx.relu %qb2 : !mx.tensor<4x32xmxint<4,8,16>> -> !mx.tensor<4x32xmxint8>
  %r = mx.relu %sa : !mx.tensor<4x32xmxint8> -> !mx.tensor<4x32xmxint8>
  %d = mx.dequantize %r : !mx.tensor<4x32xmxint8> -> tensor<4x32xf32>
  return %d, %c : tensor<4x32xf32>, tensor<4x32xf32>
}
