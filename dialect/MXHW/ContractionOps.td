//===- ContractionOps.td - mxhw contraction units ------------*- tablegen -*-===//
//
// Units whose datapath is a block dot product per cycle: linear (weights in a
// memory) and batch_matmul (both operands streamed). Included by MXHWOps.td.
//
//===----------------------------------------------------------------------===//

def MXHW_LinearOp : MXHW_UnitOp<"linear"> {
  let summary = "The linear unit: y = x W^T + b, one block dot product per cycle";
  let description = [{
    `input` streams `[..., K]` blocked along K; `weight` `[N, K]` (blocked along
    K) and the optional `bias` `[N]` are constants in memories; the result
    streams `[..., N]` blocked along N. `acc` is the accumulation of the mx op
    (`#mx.acc<exact>` when absent).

    ```mlir
    %y = mxhw.linear %x, %w {acc = #mx.acc<bounded<4>>}
        : (!mxhw.stream<!mx.tensor<4x64xmxint8>>, !mx.tensor<32x64xmxint8>)
        -> !mxhw.stream<!mx.tensor<4x32xmxint8>>
    ```
  }];
  let arguments = !con((ins MXHW_Stream:$input, MXHW_Constant:$weight,
                            Optional<MXHW_Constant>:$bias,
                            OptionalAttr<MX_AccumulationAttr>:$acc), nameArg);
  let results = (outs MXHW_Stream:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def MXHW_BatchMatmulOp : MXHW_UnitOp<"batch_matmul"> {
  let summary = "y = lhs rhs^T with both operands streamed, batched";
  let description = [{
    `lhs` streams `[..., M, K]` and `rhs` `[..., N, K]` (the transposed rhs of
    `mx.batch_matmul`: for each output column its K/B blocks, like a linear's
    weight), both blocked along K; the result streams `[..., M, N]` blocked
    along N. The result has the lhs's batch dimensions; the rhs has R batches,
    R dividing the lhs's B batches: result batch `b` uses rhs batch
    `b floordiv (B / R)` (numpy broadcasting of trailing rhs batch dimensions,
    and grouped-query attention, where `B / R` query heads share one key head).
    `acc` is the accumulation of the mx op (`#mx.acc<exact>` when absent).

    ```mlir
    %s = mxhw.batch_matmul %q, %k {acc = #mx.acc<bounded<4>>}
        : (!mxhw.stream<!mx.tensor<4x16x16xmxint8>>, !mxhw.stream<!mx.tensor<2x16x16xmxint8>>)
        -> !mxhw.stream<!mx.tensor<4x16x16xmxint8>>
    ```
  }];
  let arguments = !con((ins MXHW_Stream:$lhs, MXHW_Stream:$rhs,
                            OptionalAttr<MX_AccumulationAttr>:$acc), nameArg);
  let results = (outs MXHW_Stream:$output);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}
