//===- MXAttrs.td - mx dialect attributes -------------------*- tablegen -*-===//

#ifndef MASE_MX_ATTRS
#define MASE_MX_ATTRS

include "MX/MXDialect.td"
include "MX/MXEnums.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def MX_RoundingModeAttr : EnumAttr<MX_Dialect, MX_RoundingMode, "rounding"> {
  let assemblyFormat = "`<` $value `>`";
}

def MX_CmpPredicateAttr : EnumAttr<MX_Dialect, MX_CmpPredicate, "predicate"> {
  let assemblyFormat = "`<` $value `>`";
}

def MX_GeluApproximationAttr
    : EnumAttr<MX_Dialect, MX_GeluApproximation, "approximation"> {
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
    * `fixed<W,F>`: static fixed point, the baseline MX formats are compared
      against: `W`-bit two's-complement integers q (2 <= W <= 16, symmetric:
      |q| <= 2^(W-1)-1) read as q * 2^-F, with `F` fraction bits
      (-64 <= F <= 64, may exceed W or be negative) fixed per tensor; no shared
      scale, so storage is exactly W bits per value. It is the element of
      `mxint<W,..>` under the constant scale 2^(W-2-F): a format with no scale
      bits, blocks of one value, and a scale range of that single exponent
      (every quantization and arithmetic rule of mxint applies unchanged).
      It has no NaN.

    Example: `#mx.format<mxint<4,8,16>>`, `#mx.format<mxfp4_e2m1>`,
    `#mx.format<fixed<8,5>>`.
  }];
  let parameters = (ins
    "::mase::mx::ElementKind":$kind,
    "unsigned":$elementBits,
    "unsigned":$exponentBits,
    "unsigned":$scaleBits,
    "unsigned":$blockSize,
    "int":$fixedFraction
  );
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    // Every fact about a format is defined here once; the C API, the Python
    // bindings, mase_mlir.numerics and the quantization kernel read them.
    // The parameters: `elementBits` is the width of one stored element code,
    // sign included (M for mxint, 1+X+Y for eXmY, W for fixed); `exponentBits`
    // is X for a float element, 0 otherwise; `fixedFraction` is F of
    // fixed<W,F> (0 for MX formats).

    bool isInt() const { return getKind() == ::mase::mx::ElementKind::Int; }
    bool isFixed() const { return getKind() == ::mase::mx::ElementKind::Fixed; }
    /// Two's-complement integer elements: mxint and fixed.
    bool hasIntegerElements() const { return isInt() || isFixed(); }
    static constexpr int kMaxFixedFraction = 64;
    /// Bits below the element's binary point: M-2 for mxint (the value of
    /// code q is q * 2^-(M-2)), Y for a float element eXmY.
    unsigned getFractionBits() const;
    /// Exponent bias of a float element, 2^(X-1)-1; 0 for mxint.
    int getElementBias() const;
    /// Exponent of the smallest normal element (1 - bias; 0 for mxint, whose
    /// grid is one binade).
    int getElementMinExponent() const;
    /// Exponent of the largest power of two of the element (emax_elem of the
    /// OCP specification; 0 for mxint).
    int getElementMaxExponent() const;
    /// Which codes of a float element are not numbers.
    ::mase::mx::ElementSpecials getSpecials() const;
    /// Magnitude code (sign bit clear) of the largest finite element.
    unsigned getMaxCode() const;
    /// Value of the largest finite element, before scaling.
    double getMaxElement() const;
    /// Smallest positive element value (subnormal step; LSB of mxint).
    double getElementStep() const;

    /// Bias of the E-bit scale: 2^(E-1)-1 (fixed: F-(W-2), so that the one
    /// code 0 means the scale 2^(W-2-F)).
    int getScaleBias() const;
    /// Smallest and largest scale exponents (codes 0 .. 2^E-2; fixed: both
    /// W-2-F).
    int getScaleMin() const;
    int getScaleMax() const;
    /// The scale code meaning NaN: all ones (fixed: 1, which its zero-width
    /// scale never holds; a fixed format has no NaN).
    unsigned getScaleNaNCode() const;

    /// Memory cost per value, scale included: element bits + scale bits / B.
    double getBitsPerValue() const;
    /// Blocks of `numElements` values (a multiple of the block size).
    int64_t getNumBlocks(int64_t numElements) const;
    /// Storage bits of `numElements` values: their codes and their blocks'
    /// scales.
    int64_t getStorageBits(int64_t numElements) const;

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
