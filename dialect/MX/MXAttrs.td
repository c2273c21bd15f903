//===- MXAttrs.td - mx dialect attributes -------------------*- tablegen -*-===//

#ifndef MASE_MX_ATTRS
#define MASE_MX_ATTRS

include "MX/MXDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

//===----------------------------------------------------------------------===//
// Element kinds and rounding modes
//===----------------------------------------------------------------------===//

def MX_ElementKind : I32EnumAttr<"ElementKind", "MX element encoding", [
    I32EnumAttrCase<"Int", 0, "int">,
    I32EnumAttrCase<"Float", 1, "float">
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

def MX_RoundingModeAttr : EnumAttr<MX_Dialect, MX_RoundingMode, "rounding"> {
  let assemblyFormat = "`<` $value `>`";
}

//===----------------------------------------------------------------------===//
// FormatAttr
//===----------------------------------------------------------------------===//

def MX_FormatAttr : AttrDef<MX_Dialect, "Format"> {
  let mnemonic = "format";
  let summary = "An MX block format: element encoding, scale width, block size";
  let description = [{
    One MX block format, spelled as everywhere else in the project:

    * `mxint<M,E,B>`: `B` elements, each an `M`-bit two's-complement integer
      with `M-2` fraction bits (2 <= M <= 16), sharing an `E`-bit biased scale.
    * `mxfp<eXmY,E,B>`: OCP float elements `e5m2`, `e4m3`, `e3m2`, `e2m3` or
      `e2m1`, sharing an `E`-bit biased scale (1 <= E <= 8).
    * OCP short names: `mxfp8_e5m2`, `mxfp8_e4m3`, `mxfp6_e3m2`, `mxfp6_e2m3`,
      `mxfp4_e2m1` (= `mxfp<..,8,32>`) and `mxint8` (= `mxint<8,8,32>`).

    Example: `#mx.format<mxint<4,8,16>>`, `#mx.format<mxfp4_e2m1>`.
  }];
  let parameters = (ins
    "::mase::mx::ElementKind":$kind,
    "unsigned":$exponentBits,
    "unsigned":$mantissaBits,
    "unsigned":$scaleBits,
    "unsigned":$blockSize
  );
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Bits of one element code (sign included).
    unsigned getElementBits() const;
    /// Memory cost per value, scale included: element bits + scale bits / B.
    double getBitsPerValue() const;
    bool isInt() const { return getKind() == ::mase::mx::ElementKind::Int; }
    /// The canonical spelling (short name when one exists).
    std::string str() const;
    /// Parses the project-wide spelling; returns a null attribute and reports
    /// through `emitError` when the spelling or a parameter is invalid.
    static FormatAttr parse(::mlir::MLIRContext *ctx, ::llvm::StringRef spelling,
                            ::llvm::function_ref<::mlir::InFlightDiagnostic()> emitError);
  }];
}

//===----------------------------------------------------------------------===//
// AccumulationAttr
//===----------------------------------------------------------------------===//

def MX_AccumulationAttr : AttrDef<MX_Dialect, "Accumulation"> {
  let mnemonic = "acc";
  let summary = "How a contraction accumulates its block products";
  let description = [{
    `#mx.acc<exact>`: the exact sum of the block products along K and the bias
    (unbounded width), rounded once into the result type.

    `#mx.acc<bounded<G>>`: a fixed-width accumulator aligned to the running
    maximum term exponent minus `G` guard bits (0 <= G <= 64), bits below it
    dropped by an arithmetic right shift (floor). The exact definition and the
    width it needs are `mase_mlir.numerics.accumulate`; the hardware implements
    it bit for bit.

    An op without the attribute accumulates exactly.
  }];
  let parameters = (ins "bool":$bounded, "unsigned":$guardBits);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    static constexpr unsigned kMaxGuardBits = 64;
    /// The project-wide spelling: `exact` or `bounded<G>`.
    std::string str() const;
    /// Parses that spelling; a null attribute (and `emitError`) when invalid.
    static AccumulationAttr parse(::mlir::MLIRContext *ctx, ::llvm::StringRef spelling,
                                  ::llvm::function_ref<::mlir::InFlightDiagnostic()> emitError);
  }];
}

#endif // MASE_MX_ATTRS
