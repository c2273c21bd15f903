//===- RowOps.td - mxhw row units ----------------------------*- tablegen -*-===//
//
// Units that reduce over each row (the last axis) before they can emit it:
// softmax (optionally masked), layer_norm, rms_norm. Each buffers a row,
// computes its statistics and streams the row out again, one element per
// cycle; the numerics are mase_mlir.numerics.rows, bit for bit. Included by
// MXHWOps.td.
//
//===----------------------------------------------------------------------===//

def MXHW_BoolMemory : Type<And<[AnyStaticShapeTensor.predicate,
                                CPred<"::llvm::cast<::mlir::ShapedType>($_self)"
                                      ".getElementType().isInteger(1)">]>,
                           "tensor of i1 in a memory", "::mlir::RankedTensorType">;

def MXHW_SoftmaxOp : MXHW_UnitOp<"softmax"> {
  let summary = "Softmax along the last axis, over the positions a mask keeps";
  let description = [{
    `input` streams `[..., N]` blocked along N; the optional `mask` (i1,
    broadcast to the input's shape: attention masks `[B, 1, 1, N]` or
    `[B, 1, S, N]`, causal masks) is read from a memory, one row of N bits
    per word. Masked positions, and every position of a row the mask
    empties, give 0.

    ```mlir
    %p = mxhw.softmax %s mask %m
        : (!mxhw.stream<!mx.tensor<12x32x32xmxint8>>, tensor<1x32x32xi1>)
        -> !mxhw.stream<!mx.tensor<12x32x32xmxint8>>
    ```
  }];
  let arguments = !con((ins MXHW_Stream:$input, Optional<MXHW_BoolMemory>:$mask),
                       nameArg);
  let results = (outs MXHW_Stream:$output);
  let assemblyFormat = [{
    $input (`mask` $mask^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def MXHW_LayerNormOp : MXHW_UnitOp<"layer_norm", [AttrSizedOperandSegments]> {
  let summary = "Layer normalization over the last axis";
  let description = [{
    `(x - mean) / sqrt(var + eps) * weight + bias` per row of `input`
    (`[..., N]` blocked along N); `weight` and `bias` (`[N]`) are constants in
    memories.

    ```mlir
    %y = mxhw.layer_norm %x weight %g bias %b {eps = 1.0e-12 : f64}
        : (!mxhw.stream<!mx.tensor<32x384xmxint8>>, !mx.tensor<384xmxint8>,
           !mx.tensor<384xmxint8>) -> !mxhw.stream<!mx.tensor<32x384xmxint8>>
    ```
  }];
  let arguments = !con((ins MXHW_Stream:$input, Optional<MXHW_Constant>:$weight,
                            Optional<MXHW_Constant>:$bias, F64Attr:$eps), nameArg);
  let results = (outs MXHW_Stream:$output);
  let assemblyFormat = [{
    $input (`weight` $weight^)? (`bias` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def MXHW_RMSNormOp : MXHW_UnitOp<"rms_norm"> {
  let summary = "RMS normalization over the last axis";
  let description = [{
    `x / sqrt(mean(x^2) + eps) * weight` per row of `input`; `weight` (`[N]`)
    is a constant in a memory.
  }];
  let arguments = !con((ins MXHW_Stream:$input, Optional<MXHW_Constant>:$weight,
                            F64Attr:$eps), nameArg);
  let results = (outs MXHW_Stream:$output);
  let assemblyFormat = [{
    $input (`weight` $weight^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}
