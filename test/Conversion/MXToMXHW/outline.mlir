// RUN: mase-opt %s --mx-hw-outline -split-input-file | FileCheck %s
// RUN: mase-opt %s --mx-hw-outline=layer=blk.1 -split-input-file | FileCheck %s --check-prefix=LAYER

// The host keeps the embedding, the mask logic and the final dequantize; the
// hardware part gets the rest, constants copied in.

// CHECK-LABEL: func.func @net
// CHECK: %[[E:.*]] = mx.embedding
// CHECK: %[[M:.*]] = mx.cmp
// CHECK: %[[R:.*]] = call @net_hw(%[[E]]) : (!mx.tensor<4x32xmxint8>) -> !mx.tensor<4x32xmxint8>
// CHECK: %[[D:.*]] = mx.dequantize %[[R]]
// CHECK: return %[[D]], %[[M]]
// CHECK-LABEL: func.func @net_hw
// CHECK-SAME: (%[[X:.*]]: !mx.tensor<4x32xmxint8>) -> !mx.tensor<4x32xmxint8>
// CHECK-DAG: mx.constant {{.*}} : !mx.tensor<32x32xmxint8>
// CHECK: mx.linear %[[X]]
// CHECK: mx.relu
// CHECK: mx.linear
// CHECK: return

// The unnamed dequantize fed only by the layer goes with it (mx-hw-boundary then
// returns the MX value to the host).
// LAYER-LABEL: func.func @net
// LAYER: %[[H:.*]] = mx.relu {{.*}} {name = "blk.0.act"}
// LAYER: %[[R:.*]] = call @net_hw(%[[H]]) : (!mx.tensor<4x32xmxint8>) -> tensor<4x32xf32>
// LAYER: return %[[R]]
// LAYER-LABEL: func.func @net_hw
// LAYER: mx.linear {{.*}} {name = "blk.1.fc"}
// LAYER-NOT: blk.0
// LAYER: mx.dequantize
// LAYER: return
func.func @net(%ids: tensor<4xi64>, %a: tensor<4xi64>) -> (tensor<4x32xf32>, tensor<4xi1>) {
  %table = mx.constant scales(dense<127> : tensor<50x1xui8>) codes(dense<3> : tensor<50x32xui8>) : !mx.tensor<50x32xmxint8>
  %w = mx.constant scales(dense<120> : tensor<32x1xui8>) codes(dense<1> : tensor<32x32xui8>) : !mx.tensor<32x32xmxint8>
  %zero = arith.constant dense<0> : tensor<4xi64>
  %e = mx.embedding %ids, %table {name = "embed"} : (tensor<4xi64>, !mx.tensor<50x32xmxint8>) -> !mx.tensor<4x32xmxint8>
  %m = mx.cmp %a, %zero {name = "mask", predicate = #mx.predicate<ne>} : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi1>
  %h = mx.linear %e, %w {name = "blk.0.fc"} : (!mx.tensor<4x32xmxint8>, !mx.tensor<32x32xmxint8>) -> !mx.tensor<4x32xmxint8>
  %r = mx.relu %h {name = "blk.0.act"} : !mx.tensor<4x32xmxint8> -> !mx.tensor<4x32xmxint8>
  %y = mx.linear %r, %w {name = "blk.1.fc"} : (!mx.tensor<4x32xmxint8>, !mx.tensor<32x32xmxint8>) -> !mx.tensor<4x32xmxint8>
  %d = mx.dequantize %y : !mx.tensor<4x32xmxint8> -> tensor<4x32xf32>
  return %d, %m : tensor<4x32xf32>, tensor<4xi1>
}
