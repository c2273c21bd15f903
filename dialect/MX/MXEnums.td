//===- MXEnums.td - mx dialect enums ------------------------*- tablegen -*-===//

#ifndef MASE_MX_ENUMS
#define MASE_MX_ENUMS

include "mlir/IR/EnumAttr.td"

//===----------------------------------------------------------------------===//
// Element kinds, special values, rounding modes
//===----------------------------------------------------------------------===//

def MX_ElementKind : I32EnumAttr<"ElementKind", "MX element encoding", [
    I32EnumAttrCase<"Int", 0, "int">,
    I32EnumAttrCase<"Float", 1, "float">,
    // Static fixed point: two's-complement integers, no shared scale.
    I32EnumAttrCase<"Fixed", 2, "fixed">
  ]> {
  let cppNamespace = "::mase::mx";
  let genSpecializedAttr = 0;
}

def MX_ElementSpecials : I32EnumAttr<"ElementSpecials",
    "which element codes are not numbers", [
    // Every code is a finite number (mxint, fp6, fp4).
    I32EnumAttrCase<"Finite", 0, "finite">,
    // Only S.1111.111 is NaN (OCP e4m3).
    I32EnumAttrCase<"NaNOnly", 1, "fn">,
    // The all-ones exponent is Inf (zero fraction) or NaN (IEEE-like e5m2).
    I32EnumAttrCase<"InfNaN", 2, "ieee">
  ]> {
  let cppNamespace = "::mase::mx";
  let genSpecializedAttr = 0;
}

def MX_RoundingMode : I32EnumAttr<"RoundingMode", "rounding onto the element grid", [
    I32EnumAttrCase<"Even", 0, "even">,
    I32EnumAttrCase<"Nearest", 1, "nearest">
  ]> {
  let cppNamespace = "::mase::mx";
  let genSpecializedAttr = 0;
}

//===----------------------------------------------------------------------===//
// Operand roles of quantizable ops
//===----------------------------------------------------------------------===//

def MX_OperandRole : I32EnumAttr<"OperandRole",
    "what a value of a compute op is to a precision configuration", [
    // An activation operand.
    I32EnumAttrCase<"Input", 0, "input">,
    // The weight of mx.linear, the affine weight of a norm, an embedding table.
    I32EnumAttrCase<"Weight", 1, "weight">,
    // The bias of mx.linear or mx.layer_norm.
    I32EnumAttrCase<"Bias", 2, "bias">,
    // The result.
    I32EnumAttrCase<"Output", 3, "output">
  ]> {
  let cppNamespace = "::mase::mx";
  let genSpecializedAttr = 0;
}

//===----------------------------------------------------------------------===//
// Op parameters
//===----------------------------------------------------------------------===//

def MX_CmpPredicate : I32EnumAttr<"CmpPredicate", "comparison predicate", [
    I32EnumAttrCase<"eq", 0>,
    I32EnumAttrCase<"ne", 1>,
    I32EnumAttrCase<"lt", 2>,
    I32EnumAttrCase<"le", 3>,
    I32EnumAttrCase<"gt", 4>,
    I32EnumAttrCase<"ge", 5>
  ]> {
  let cppNamespace = "::mase::mx";
  let genSpecializedAttr = 0;
}

def MX_GeluApproximation : I32EnumAttr<"GeluApproximation",
    "how mx.gelu computes the Gaussian CDF", [
    // x * Phi(x) with the exact erf.
    I32EnumAttrCase<"Erf", 0, "none">,
    // The tanh approximation (GPT-2's gelu_new).
    I32EnumAttrCase<"Tanh", 1, "tanh">
  ]> {
  let cppNamespace = "::mase::mx";
  let genSpecializedAttr = 0;
}

#endif // MASE_MX_ENUMS
