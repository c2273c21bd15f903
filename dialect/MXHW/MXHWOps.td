//===- MXHWOps.td - mxhw dialect operations -----------------*- tablegen -*-===//
//
// One op per kind of operator unit. Operands are streams, or `!mx.tensor`
// constants (weights, biases) that the unit reads from a memory. The result
// type fixes the output format; the numerics are those of the mx op the unit
// came from (mase_mlir.numerics), bit for bit.
//
//===----------------------------------------------------------------------===//

#ifndef MASE_MXHW_OPS
#define MASE_MXHW_OPS

include "MXHW/MXHWTypes.td"
include "MX/MXAttrs.td"
include "MX/MXTypes.td"
include "mlir/IR/OpBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def MXHW_Stream : Type<CPred<"::llvm::isa<::mase::mxhw::StreamType>($_self)">,
                       "stream of MX blocks", "::mase::mxhw::StreamType">;
def MXHW_Constant : Type<CPred<"::llvm::isa<::mase::mx::MXTensorType>($_self)">,
                         "MX tensor in a memory", "::mase::mx::MXTensorType">;

class MXHW_UnitOp<string mnemonic, list<Trait> traits = []>
    : MXHW_Op<mnemonic, !listconcat([Pure], traits)> {
  dag nameArg = (ins OptionalAttr<StrAttr>:$name);
}

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

def MXHW_ReluOp : MXHW_UnitOp<"relu"> {
  let summary = "Elementwise max(x, 0), re-quantized into the result format";
  let arguments = !con((ins MXHW_Stream:$input), nameArg);
  let results = (outs MXHW_Stream:$output);
  let assemblyFormat = [{
    $input attr-dict `:` qualified(type($input)) `->` qualified(type($output))
  }];
  let hasVerifier = 1;
}

#endif // MASE_MXHW_OPS
