//===- MXOps.td - mx dialect operations ---------------------*- tablegen -*-===//
//
// Every op carries an optional `name`: the readable, stable name recovered
// from the PyTorch module path at import. Precision configs and passes refer
// to ops by it.
//
//===----------------------------------------------------------------------===//

#ifndef MASE_MX_OPS
#define MASE_MX_OPS

include "MX/MXTypes.td"
include "MX/MXInterfaces.td"
include "mlir/IR/OpBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

def MX_MXTensor : Type<CPred<"::llvm::isa<::mase::mx::MXTensorType>($_self)">,
                       "MX block tensor", "::mase::mx::MXTensorType">;
def MX_FloatTensor : StaticShapeTensorOf<[F32]>;
def MX_IntTensor : StaticShapeTensorOf<[AnySignlessInteger]>;
def MX_BoolTensor : StaticShapeTensorOf<[I1]>;
// Values an MX compute op works on: f32 tensors or MX block tensors.
def MX_Numeric : AnyTypeOf<[MX_FloatTensor, MX_MXTensor],
                           "f32 tensor or MX block tensor">;
// Any statically shaped tensor, MX included (shape ops, comparisons).
def MX_AnyTensor : AnyTypeOf<[AnyStaticShapeTensor, MX_MXTensor],
                             "static tensor or MX block tensor">;

//===----------------------------------------------------------------------===//
// Shape traits (shared verifiers)
//===----------------------------------------------------------------------===//

class MX_OpTrait<string name> : NativeOpTrait<name> {
  let cppNamespace = "::mase::mx::OpTrait";
}
// All operands and results have the same shape.
def MX_SameShape : MX_OpTrait<"SameShape">;
// Operands broadcast (numpy rules) to the result shape.
def MX_BroadcastShape : MX_OpTrait<"BroadcastShape">;

class MX_NamedOp<string mnemonic, list<Trait> traits = []>
    : MX_Op<mnemonic, traits> {
  dag nameArg = (ins OptionalAttr<StrAttr>:$name);
}

// A compute op whose operands and result take MX formats. `roles` is the
// role (an MX_OperandRole case) of each ODS operand group, in order; "" marks
// an operand that is never quantized (masks, token ids). `overrides` lists
// the QuantizableOpInterface methods the op implements itself.
class MX_QuantizableOp<string mnemonic, list<string> roles,
                       list<Trait> traits = [], list<string> overrides = []>
    : MX_NamedOp<mnemonic, !listconcat(traits,
          [DeclareOpInterfaceMethods<MX_QuantizableOpInterface, overrides>])> {
  let extraClassDeclaration = [{
    /// The role of each ODS operand group (std::nullopt: never quantized).
    static constexpr std::optional<::mase::mx::OperandRole> kOperandRoles[] = {
  }] # !interleave(!foreach(role, roles, !if(!eq(role, ""), "std::nullopt",
                                            "::mase::mx::OperandRole::" # role)),
                   ", ") # [{};
  }];
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

def MX_QuantizeOp : MX_NamedOp<"quantize", [Pure, MX_SameShape]> {
  let summary = "Quantize an f32 tensor into MX blocks";
  let description = [{
    Quantizes `input` into the format and blocking of the result type
    (OCP MX section 6.3: shared scale from the block's largest magnitude,
    elements rounded `even` (default, ties to even) or `nearest` (ties away
    from zero), then saturated).

    ```mlir
    %q = mx.quantize %x : tensor<4x64xf32> -> !mx.tensor<4x64xmxint<4,8,16>>
    ```
  }];
  let arguments = !con((ins MX_FloatTensor:$input,
      DefaultValuedAttr<MX_RoundingModeAttr, "::mase::mx::RoundingMode::Even">:$rounding),
      nameArg);
  let results = (outs MX_MXTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` qualified(type($output))";
  let hasFolder = 1;
}

def MX_DequantizeOp : MX_NamedOp<"dequantize", [Pure, MX_SameShape]> {
  let summary = "Expand MX blocks into an f32 tensor (exact)";
  let arguments = !con((ins MX_MXTensor:$input), nameArg);
  let results = (outs MX_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` qualified(type($input)) `->` type($output)";
}

def MX_CastOp : MX_NamedOp<"cast", [Pure, MX_SameShape]> {
  let summary = "Re-quantize an MX tensor into another format or blocking";
  let description = [{
    Equivalent to `mx.dequantize` followed by `mx.quantize`; the hardware can
    do it block by block when only the element format changes.
  }];
  let arguments = !con((ins MX_MXTensor:$input,
      DefaultValuedAttr<MX_RoundingModeAttr, "::mase::mx::RoundingMode::Even">:$rounding),
      nameArg);
  let results = (outs MX_MXTensor:$output);
  let assemblyFormat = [{
    $input attr-dict `:` qualified(type($input)) `->` qualified(type($output))
  }];
  let hasFolder = 1;
}

def MX_ConstantOp : MX_NamedOp<"constant", [Pure, ConstantLike]> {
  let summary = "An MX tensor constant: scale codes and element codes";
  let description = [{
    `scales` holds one scale code per block (shape: the block grid, element
    type `uiE` for an `E`-bit scale), `codes` one element bit pattern per
    value (the tensor's shape, element type `uiW` for `W`-bit elements).

    ```mlir
    %w = mx.constant scales(dense<127> : tensor<2x1xui8>)
                     codes(dense<0> : tensor<2x16xui4>) : !mx.tensor<2x16xmxint<4,8,16>>
    ```
  }];
  let arguments = !con((ins AnyIntElementsAttr:$scales, AnyIntElementsAttr:$codes),
                       nameArg);
  let results = (outs MX_MXTensor:$output);
  let assemblyFormat = [{
    `scales` `(` $scales `)` `codes` `(` $codes `)` attr-dict `:` qualified(type($output))
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

def MX_LinearOp : MX_QuantizableOp<"linear", ["Input", "Weight", "Bias"], [Pure],
                                   ["getOperandBlockAxis"]> {
  let summary = "y = x * W^T + b";
  let description = [{
    `input` is `[..., K]`, `weight` `[N, K]`, the optional `bias` `[N]`, the
    result `[..., N]`. MX operands must be blocked along K with the same
    block size, so that a block dot product is one integer MAC of B lanes.
    `acc` says how the block products and the bias are summed
    (`#mx.acc<exact>` when absent, or `#mx.acc<bounded<G>>`).

    ```mlir
    %y = mx.linear %x, %w, %b : (tensor<4x64xf32>, tensor<32x64xf32>, tensor<32xf32>) -> tensor<4x32xf32>
    ```
  }];
  let arguments = !con((ins MX_Numeric:$input, MX_Numeric:$weight,
                            Optional<MX_Numeric>:$bias,
                            OptionalAttr<MX_AccumulationAttr>:$acc), nameArg);
  let results = (outs MX_Numeric:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def MX_MatmulOp : MX_QuantizableOp<"matmul", ["Input", "Input"], [Pure],
                                   ["getOperandBlockAxis"]> {
  let summary = "Matrix product [M, K] x [K, N] -> [M, N]";
  let description = [{
    MX operands must be blocked along K (axis 1 of `lhs`, axis 0 of `rhs`)
    with the same block size.
  }];
  let arguments = !con((ins MX_Numeric:$lhs, MX_Numeric:$rhs,
                            OptionalAttr<MX_AccumulationAttr>:$acc), nameArg);
  let results = (outs MX_Numeric:$output);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def MX_BatchMatmulOp : MX_QuantizableOp<"batch_matmul", ["Input", "Input"], [Pure],
                                        ["getOperandBlockAxis"]> {
  let summary = "Batched matrix product [..., M, K] x [..., K, N] -> [..., M, N]";
  let description = [{
    Both operands have the same rank (>= 3) and identical batch dimensions.
    MX operands must be blocked along K with the same block size.
  }];
  let arguments = !con((ins MX_Numeric:$lhs, MX_Numeric:$rhs,
                            OptionalAttr<MX_AccumulationAttr>:$acc), nameArg);
  let results = (outs MX_Numeric:$output);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

class MX_UnaryOp<string mnemonic, string doc, list<Trait> traits = []>
    : MX_QuantizableOp<mnemonic, ["Input"], !listconcat([Pure, MX_SameShape], traits)> {
  let summary = doc;
  let arguments = !con((ins MX_Numeric:$input), nameArg);
  let results = (outs MX_Numeric:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def MX_NegOp : MX_UnaryOp<"neg", "-x">;
def MX_AbsOp : MX_UnaryOp<"abs", "|x|">;
def MX_ExpOp : MX_UnaryOp<"exp", "e^x">;
def MX_LogOp : MX_UnaryOp<"log", "natural logarithm">;
def MX_TanhOp : MX_UnaryOp<"tanh", "hyperbolic tangent">;
def MX_SqrtOp : MX_UnaryOp<"sqrt", "square root">;
def MX_RsqrtOp : MX_UnaryOp<"rsqrt", "1 / sqrt(x)">;
def MX_ReciprocalOp : MX_UnaryOp<"reciprocal", "1 / x">;
def MX_SinOp : MX_UnaryOp<"sin", "sine">;
def MX_CosOp : MX_UnaryOp<"cos", "cosine">;
def MX_ErfOp : MX_UnaryOp<"erf", "error function">;
def MX_ReluOp : MX_UnaryOp<"relu", "max(x, 0)">;
def MX_SigmoidOp : MX_UnaryOp<"sigmoid", "1 / (1 + e^-x)">;
def MX_SiluOp : MX_UnaryOp<"silu", "x * sigmoid(x)">;

def MX_GeluOp : MX_QuantizableOp<"gelu", ["Input"], [Pure, MX_SameShape]> {
  let summary = "Gaussian error linear unit";
  let description = [{
    `approximate = #mx.approximation<none>` (default) is `x * Phi(x)` with the
    exact erf; `#mx.approximation<tanh>` is the tanh approximation (GPT-2's
    `gelu_new`).

    ```mlir
    %y = mx.gelu %x {approximate = #mx.approximation<tanh>} : tensor<8x64xf32> -> tensor<8x64xf32>
    ```
  }];
  let arguments = !con((ins MX_Numeric:$input,
      DefaultValuedAttr<MX_GeluApproximationAttr,
                        "::mase::mx::GeluApproximation::Erf">:$approximate),
      nameArg);
  let results = (outs MX_Numeric:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

class MX_BinaryOp<string mnemonic, string doc>
    : MX_QuantizableOp<mnemonic, ["Input", "Input"], [Pure, MX_BroadcastShape]> {
  let summary = doc;
  let description = [{
    Elementwise with numpy broadcasting: the result shape is the broadcast
    of the operand shapes. Each element is computed from the operands'
    elements, so MX operands may use different formats and block sizes.
  }];
  let arguments = !con((ins MX_AnyTensor:$lhs, MX_AnyTensor:$rhs), nameArg);
  let results = (outs MX_AnyTensor:$output);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

def MX_AddOp : MX_BinaryOp<"add", "lhs + rhs">;
def MX_SubOp : MX_BinaryOp<"sub", "lhs - rhs">;
def MX_MulOp : MX_BinaryOp<"mul", "lhs * rhs">;
def MX_DivOp : MX_BinaryOp<"div", "lhs / rhs">;
def MX_MaxOp : MX_BinaryOp<"max", "max(lhs, rhs)">;
def MX_MinOp : MX_BinaryOp<"min", "min(lhs, rhs)">;
def MX_PowOp : MX_BinaryOp<"pow", "lhs ^ rhs">;

def MX_CmpOp : MX_NamedOp<"cmp", [Pure, MX_BroadcastShape]> {
  let summary = "Elementwise comparison with broadcasting";
  let description = [{
    `predicate` is one of `eq`, `ne`, `lt`, `le`, `gt`, `ge`; the result is i1.

    ```mlir
    %m = mx.cmp %a, %b {predicate = #mx.predicate<lt>} : (tensor<8xf32>, tensor<f32>) -> tensor<8xi1>
    ```
  }];
  let arguments = !con((ins MX_AnyTensor:$lhs, MX_AnyTensor:$rhs,
                            MX_CmpPredicateAttr:$predicate), nameArg);
  let results = (outs MX_BoolTensor:$output);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

def MX_SelectOp : MX_NamedOp<"select", [Pure, MX_BroadcastShape]> {
  let summary = "cond ? lhs : rhs, elementwise with broadcasting";
  let arguments = !con((ins MX_BoolTensor:$condition, MX_AnyTensor:$lhs,
                            MX_AnyTensor:$rhs), nameArg);
  let results = (outs MX_AnyTensor:$output);
  let assemblyFormat = [{
    $condition `,` $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Normalization and softmax
//===----------------------------------------------------------------------===//

def MX_SoftmaxOp : MX_QuantizableOp<"softmax", ["Input", ""], [Pure]> {
  let summary = "Softmax along one axis, optionally over the positions a mask keeps";
  let description = [{
    With a `mask` (i1, broadcast to the input's shape) the softmax runs over
    the positions where the mask is true; the others give 0 (a row the mask
    empties gives all zeros). Attention masks are an operand rather than
    large negative scores so that the scores stay finite and quantize well:
    a block holding -3.4e38 would take the whole block's scale.

    ```mlir
    %p = mx.softmax %s {axis = 3 : i64} : tensor<1x4x8x8xf32> -> tensor<1x4x8x8xf32>
    %p = mx.softmax %s, mask = %m {axis = 3 : i64}
        : tensor<1x4x8x8xf32>, tensor<1x1x1x8xi1> -> tensor<1x4x8x8xf32>
    ```
  }];
  let arguments = !con((ins MX_Numeric:$input, Optional<MX_BoolTensor>:$mask,
                            I64Attr:$axis), nameArg);
  let results = (outs MX_Numeric:$output);
  let assemblyFormat = [{
    $input (`,` `mask` `=` $mask^)? attr-dict `:` type($input) (`,` type($mask)^)? `->` type($output)
  }];
  let hasVerifier = 1;
}

def MX_LayerNormOp : MX_QuantizableOp<"layer_norm", ["Input", "Weight", "Bias"],
                                      [Pure, AttrSizedOperandSegments]> {
  let summary = "Layer normalization over the trailing `normalized_rank` axes";
  let description = [{
    `(x - mean) / sqrt(var + eps) * weight + bias`, statistics over the last
    `normalized_rank` axes (default 1); `weight` and `bias`, when present, have
    the shape of those axes.

    ```mlir
    %y = mx.layer_norm %x weight %g bias %b {eps = 1.0e-05 : f64}
        : (tensor<8x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<8x64xf32>
    ```
  }];
  let arguments = !con((ins MX_Numeric:$input, Optional<MX_Numeric>:$weight,
                            Optional<MX_Numeric>:$bias, F64Attr:$eps,
                            DefaultValuedAttr<I64Attr, "1">:$normalized_rank),
                       nameArg);
  let results = (outs MX_Numeric:$output);
  let assemblyFormat = [{
    $input (`weight` $weight^)? (`bias` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def MX_RMSNormOp : MX_QuantizableOp<"rms_norm", ["Input", "Weight"], [Pure]> {
  let summary = "RMS normalization over the trailing `normalized_rank` axes";
  let description = [{
    `x / sqrt(mean(x^2) + eps) * weight`.
  }];
  let arguments = !con((ins MX_Numeric:$input, Optional<MX_Numeric>:$weight,
                            F64Attr:$eps,
                            DefaultValuedAttr<I64Attr, "1">:$normalized_rank),
                       nameArg);
  let results = (outs MX_Numeric:$output);
  let assemblyFormat = [{
    $input (`weight` $weight^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

class MX_ReduceOp<string mnemonic, string doc>
    : MX_QuantizableOp<mnemonic, ["Input"], [Pure]> {
  let summary = doc;
  let arguments = !con((ins MX_AnyTensor:$input, DenseI64ArrayAttr:$axes,
                            DefaultValuedAttr<BoolAttr, "false">:$keep_dims),
                       nameArg);
  let results = (outs MX_AnyTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def MX_ReduceSumOp : MX_ReduceOp<"reduce_sum", "Sum over `axes`">;
def MX_ReduceMeanOp : MX_ReduceOp<"reduce_mean", "Mean over `axes`">;
def MX_ReduceMaxOp : MX_ReduceOp<"reduce_max", "Maximum over `axes`">;
def MX_ReduceMinOp : MX_ReduceOp<"reduce_min", "Minimum over `axes`">;

//===----------------------------------------------------------------------===//
// Embedding and shape ops
//===----------------------------------------------------------------------===//

def MX_EmbeddingOp : MX_QuantizableOp<"embedding", ["", "Weight"], [Pure]> {
  let summary = "Rows of `table` [V, D] gathered by integer `indices`";
  let arguments = !con((ins MX_IntTensor:$indices, MX_Numeric:$table), nameArg);
  let results = (outs MX_Numeric:$output);
  let assemblyFormat = "$indices `,` $table attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def MX_ReshapeOp : MX_NamedOp<"reshape", [Pure]> {
  let summary = "Same elements in row-major order, new shape";
  let arguments = !con((ins MX_AnyTensor:$input), nameArg);
  let results = (outs MX_AnyTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def MX_TransposeOp : MX_NamedOp<"transpose", [Pure]> {
  let summary = "Permute axes: result dim i is input dim permutation[i]";
  let arguments = !con((ins MX_AnyTensor:$input, DenseI64ArrayAttr:$permutation),
                       nameArg);
  let results = (outs MX_AnyTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def MX_SliceOp : MX_NamedOp<"slice", [Pure]> {
  let summary = "Strided slice: offsets, sizes, strides per axis";
  let arguments = !con((ins MX_AnyTensor:$input, DenseI64ArrayAttr:$offsets,
                            DenseI64ArrayAttr:$sizes, DenseI64ArrayAttr:$strides),
                       nameArg);
  let results = (outs MX_AnyTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def MX_ConcatOp : MX_NamedOp<"concat", [Pure]> {
  let summary = "Concatenate along `axis`";
  let arguments = !con((ins Variadic<MX_AnyTensor>:$inputs, I64Attr:$axis), nameArg);
  let results = (outs MX_AnyTensor:$output);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def MX_BroadcastOp : MX_NamedOp<"broadcast", [Pure]> {
  let summary = "Broadcast to the result shape (numpy broadcast_to rules)";
  let arguments = !con((ins MX_AnyTensor:$input), nameArg);
  let results = (outs MX_AnyTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def MX_TakeOp : MX_NamedOp<"take", [Pure]> {
  let summary = "Slice `index` of the leading axis: one layer of stacked weights";
  let description = [{
    Inside a kernel loop (see mx-kernel-loop) the weights of all layers are
    stacked along a new leading axis; `mx.take` reads the slice of the
    current iteration. An MX operand keeps its format; its blocked axis moves
    down by one (the leading axis itself is never blocked).

    ```mlir
    %w = mx.take %stack, %i : (tensor<6x384x384xf32>, index) -> tensor<384x384xf32>
    %q = mx.take %mstack, %i : (!mx.tensor<6x64x64xmxint8>, index) -> !mx.tensor<64x64xmxint8>
    ```
  }];
  let arguments = !con((ins MX_AnyTensor:$input, Index:$index), nameArg);
  let results = (outs MX_AnyTensor:$output);
  let assemblyFormat = "$input `,` $index attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def MX_ConvertOp : MX_NamedOp<"convert", [Pure, MX_SameShape]> {
  let summary = "Element type conversion between integer and float tensors";
  let description = [{
    Integer to float is exact where representable (round to nearest even
    otherwise); float to integer truncates toward zero; i1 maps to 0/1.
  }];
  let arguments = !con((ins AnyStaticShapeTensor:$input), nameArg);
  let results = (outs AnyStaticShapeTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

#endif // MASE_MX_OPS
