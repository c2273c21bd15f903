//===- MXEnums.td - mx dialect enums ------------------------*- tablegen -*-===//

#ifndef MASE_MX_ENUMS
#define MASE_MX_ENUMS

include "mlir/IR/EnumAttr.td"

//===----------------------------------------------------------------------===//
// Element kinds, special values, rounding modes
//===----------------------------------------------------------------------===//

def MX_ElementKind : I32EnumAttr<"ElementKind", "MX element encoding", [
    I32EnumAttrCase<"Int", 0, "int">,
    I32EnumAttrCase<"Float", 1, "float">
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

#endif // MASE_MX_ENUMS
