//===- ContractionOps.td - mxhw contraction units ------------*- tablegen -*-===//
//
// Units whose datapath is a block dot product per cycle: linear (weights in a
// memory). Included by MXHWOps.td.
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
