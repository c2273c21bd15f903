// RUN: mase-opt %s --mx-kernel-loop=min-ops=1 --split-input-file | FileCheck %s --check-prefix=SPLIT
// RUN: mase-opt %s --mx-kernel-loop="policy=unify min-ops=1" --split-input-file -verify-diagnostics | FileCheck %s --check-prefix=UNIFY

// Three layers whose MXInt widths differ: split loops nothing (every layer
// differs from the next), unify widens all to MXINT8 and loops all three:
// the 4-bit weight is re-encoded exactly (codes shifted by 4 bits) and the
// formats the function promised at its boundary are restored with casts.

// SPLIT-LABEL: func.func @widths
// SPLIT-NOT: scf.for

// UNIFY-LABEL: func.func @widths
// UNIFY: %[[IN:.*]] = mx.cast %arg0 : !mx.tensor<2x32xmxint<4,8,32>> -> !mx.tensor<2x32xmxint8>
// UNIFY: mx.constant scales({{.*}}) codes(dense<"0x{{.*}}F0F0{{.*}}"> : tensor<3x32x32xui8>) : !mx.tensor<3x32x32xmxint8>
// UNIFY: %[[OUT:.*]] = scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%{{.*}} = %[[IN]]) -> (!mx.tensor<2x32xmxint8>)
// UNIFY: mx.linear {{.*}} -> !mx.tensor<2x32xmxint8>
// UNIFY: } {mx.kernel_loop}
// UNIFY: %[[R:.*]] = mx.cast %[[OUT]] : !mx.tensor<2x32xmxint8> -> !mx.tensor<2x32xmxint<4,8,32>>
// UNIFY: return %[[R]]
func.func @widths(%x: !mx.tensor<2x32xmxint<4,8,32>>) -> !mx.tensor<2x32xmxint<4,8,32>> {
  %w0 = mx.constant scales(dense<127> : tensor<32x1xui8>) codes(dense<1> : tensor<32x32xui8>) : !mx.tensor<32x32xmxint8>
  %w1 = mx.constant scales(dense<126> : tensor<32x1xui8>) codes(dense<2> : tensor<32x32xui8>) : !mx.tensor<32x32xmxint8>
  %w2 = mx.constant scales(dense<125> : tensor<32x1xui8>) codes(dense<15> : tensor<32x32xui4>) : !mx.tensor<32x32xmxint<4,8,32>>
  // expected-remark @+1 {{unify: weights widened by 4096 bits; kernel loop: 3 layers x 1 ops (first: 'l0')}}
  %y0 = mx.linear %x, %w0 {name = "l0"} : (!mx.tensor<2x32xmxint<4,8,32>>, !mx.tensor<32x32xmxint8>) -> !mx.tensor<2x32xmxint8>
  %y1 = mx.linear %y0, %w1 {name = "l1"} : (!mx.tensor<2x32xmxint8>, !mx.tensor<32x32xmxint8>) -> !mx.tensor<2x32xmxint8>
  %y2 = mx.linear %y1, %w2 {name = "l2"} : (!mx.tensor<2x32xmxint8>, !mx.tensor<32x32xmxint<4,8,32>>) -> !mx.tensor<2x32xmxint<4,8,32>>
  return %y2 : !mx.tensor<2x32xmxint<4,8,32>>
}
