//===- ElementwiseOps.td - mxhw elementwise units ------------*- tablegen -*-===//
//
// Element-serial units: one element per cycle through a function, re-quantized
// into the result's blocks (mase_mlir.numerics.elementwise). Included by
// MXHWOps.td.
//
//===----------------------------------------------------------------------===//

// One stream in, one stream out, of one shape (block sizes may differ).
class MXHW_UnaryUnitOp<string mnemonic, string doc, dag attrs = (ins)>
    : MXHW_UnitOp<mnemonic> {
  let summary = doc;
  let arguments = !con((ins MXHW_Stream:$input), attrs, nameArg);
  let results = (outs MXHW_Stream:$output);
  let assemblyFormat = [{
    $input attr-dict `:` qualified(type($input)) `->` qualified(type($output))
  }];
  let hasVerifier = 1;
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::verify() { return verifyUnaryUnit(*this); }
  }];
}

def MXHW_ReluOp : MXHW_UnaryUnitOp<"relu",
    "Elementwise max(x, 0), re-quantized into the result format">;
def MXHW_GeluOp : MXHW_UnaryUnitOp<"gelu",
    "GELU (erf or tanh form) from a table, re-quantized into the result format",
    (ins DefaultValuedAttr<MX_GeluApproximationAttr,
                           "::mase::mx::GeluApproximation::Erf">:$approximate)>;
def MXHW_SiluOp : MXHW_UnaryUnitOp<"silu",
    "SiLU x * sigmoid(x) from a table, re-quantized into the result format">;
def MXHW_TanhOp : MXHW_UnaryUnitOp<"tanh",
    "tanh from a table, re-quantized into the result format">;
def MXHW_SigmoidOp : MXHW_UnaryUnitOp<"sigmoid",
    "sigmoid from a table, re-quantized into the result format">;

// Two operands: streams of the result's shape, or a constant in a memory
// broadcast along leading axes, or an f32 scalar held by the unit.
class MXHW_BinaryUnitOp<string mnemonic, string doc> : MXHW_UnitOp<mnemonic> {
  let summary = doc;
  let description = [{
    `lhs` and `rhs` are streams of the result's shape, or one of them is an MX
    constant in a memory whose shape broadcasts to the result's along its
    leading axes (numpy rules; the last axis, the blocked one, is the
    result's). Without `rhs`, the second operand is the f32 `scalar` (exact:
    its sign, 24-bit significand and exponent are constants of the unit);
    `scalar_first` puts it on the left (`scalar - lhs` for `sub`). Every value is
    computed exactly and rounded once into the result format.

    ```mlir
    %y = mxhw.mul %s {scalar = 0.176776692 : f32}
        : (!mxhw.stream<!mx.tensor<4x16x16xmxint8>>) -> !mxhw.stream<!mx.tensor<4x16x16xmxint8>>
    %z = mxhw.add %x, %c
        : (!mxhw.stream<!mx.tensor<1x4x16x16xmxint<8,8,16>>>, !mx.tensor<1x1x16x16xmxint<8,8,16>>)
        -> !mxhw.stream<!mx.tensor<1x4x16x16xmxint<8,8,16>>>
    ```
  }];
  let arguments = !con((ins MXHW_StreamOrConstant:$lhs,
                            Optional<MXHW_StreamOrConstant>:$rhs,
                            OptionalAttr<F32Attr>:$scalar,
                            UnitAttr:$scalar_first), nameArg);
  let results = (outs MXHW_Stream:$output);
  let assemblyFormat = [{
    $lhs (`,` $rhs^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::verify() { return verifyBinaryUnit(*this); }
  }];
}

def MXHW_AddOp : MXHW_BinaryUnitOp<"add", "Elementwise lhs + rhs, rounded once">;
def MXHW_SubOp : MXHW_BinaryUnitOp<"sub", "Elementwise lhs - rhs, rounded once">;
def MXHW_MulOp : MXHW_BinaryUnitOp<"mul", "Elementwise lhs * rhs, rounded once">;
