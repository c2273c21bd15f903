//===- Dialects.h - C API of the mx dialect -----------------------*- C -*-===//

#ifndef MASE_MLIR_C_DIALECTS_H
#define MASE_MLIR_C_DIALECTS_H

#include "mlir-c/IR.h"
#include "mlir-c/Support.h"

#ifdef __cplusplus
extern "C" {
#endif

MLIR_DECLARE_CAPI_DIALECT_REGISTRATION(MX, mx);
MLIR_DECLARE_CAPI_DIALECT_REGISTRATION(MXHW, mxhw);

//===--- mxhw StreamType --------------------------------------------------===//

MLIR_CAPI_EXPORTED bool maseTypeIsAMXHWStream(MlirType type);
/// The stream of the blocks of an `!mx.tensor` type.
MLIR_CAPI_EXPORTED MlirType maseMXHWStreamTypeGet(MlirType tensor);
MLIR_CAPI_EXPORTED MlirType maseMXHWStreamTypeGetTensor(MlirType stream);

/// The element map of an mxhw.view or mxhw.reblock in the output's stream
/// order (its blocks row-major over the block grid, the elements of a block
/// along the blocked axis): for each output element the source operand, the
/// source block (its position in that source's stream), the element's
/// position in that block and whether it is negated. Returns the number of
/// elements, -1 when `op` is neither op (or its map is invalid); the arrays
/// (of that many entries) are filled when not null.
MLIR_CAPI_EXPORTED intptr_t maseMXHWMapOpGetStreamTable(MlirOperation op,
                                                        int32_t *source,
                                                        int64_t *block,
                                                        int32_t *position,
                                                        uint8_t *negate);

/// Registers the project's passes and pass pipelines (mase::registerAllPasses).
MLIR_CAPI_EXPORTED void maseRegisterAllPasses(void);

//===--- FormatAttr -------------------------------------------------------===//

MLIR_CAPI_EXPORTED bool maseAttributeIsAMXFormat(MlirAttribute attr);
/// Parses the project-wide spelling ("mxint<4,8,16>", "mxfp4_e2m1", ...);
/// returns a null attribute (and emits a diagnostic) when it is invalid.
MLIR_CAPI_EXPORTED MlirAttribute maseMXFormatAttrParse(MlirContext ctx,
                                                       MlirStringRef spelling);
/// Calls `callback` with the canonical spelling.
MLIR_CAPI_EXPORTED void maseMXFormatAttrPrint(MlirAttribute attr,
                                              MlirStringCallback callback,
                                              void *userData);
MLIR_CAPI_EXPORTED bool maseMXFormatAttrIsInt(MlirAttribute attr);
// fixed<W,F>: static fixed point; its F (0 for MX formats).
MLIR_CAPI_EXPORTED bool maseMXFormatAttrIsFixed(MlirAttribute attr);
MLIR_CAPI_EXPORTED int maseMXFormatAttrGetFixedFraction(MlirAttribute attr);
// The facts of a format, as FormatAttr defines them (see MXAttrs.td).
MLIR_CAPI_EXPORTED unsigned maseMXFormatAttrGetElementBits(MlirAttribute attr);
MLIR_CAPI_EXPORTED unsigned maseMXFormatAttrGetExponentBits(MlirAttribute attr);
MLIR_CAPI_EXPORTED unsigned maseMXFormatAttrGetFractionBits(MlirAttribute attr);
MLIR_CAPI_EXPORTED int maseMXFormatAttrGetElementBias(MlirAttribute attr);
MLIR_CAPI_EXPORTED int
maseMXFormatAttrGetElementMinExponent(MlirAttribute attr);
MLIR_CAPI_EXPORTED int
maseMXFormatAttrGetElementMaxExponent(MlirAttribute attr);
/// The element's special codes: 0 finite, 1 NaN only (e4m3), 2 Inf and NaN
/// (e5m2), as mase::mx::ElementSpecials.
MLIR_CAPI_EXPORTED int maseMXFormatAttrGetSpecials(MlirAttribute attr);
MLIR_CAPI_EXPORTED unsigned maseMXFormatAttrGetMaxCode(MlirAttribute attr);
MLIR_CAPI_EXPORTED double maseMXFormatAttrGetMaxElement(MlirAttribute attr);
MLIR_CAPI_EXPORTED double maseMXFormatAttrGetElementStep(MlirAttribute attr);
MLIR_CAPI_EXPORTED unsigned maseMXFormatAttrGetScaleBits(MlirAttribute attr);
MLIR_CAPI_EXPORTED int maseMXFormatAttrGetScaleBias(MlirAttribute attr);
MLIR_CAPI_EXPORTED int maseMXFormatAttrGetScaleMin(MlirAttribute attr);
MLIR_CAPI_EXPORTED int maseMXFormatAttrGetScaleMax(MlirAttribute attr);
MLIR_CAPI_EXPORTED unsigned maseMXFormatAttrGetScaleNaNCode(MlirAttribute attr);
MLIR_CAPI_EXPORTED unsigned maseMXFormatAttrGetBlockSize(MlirAttribute attr);
MLIR_CAPI_EXPORTED double maseMXFormatAttrGetBitsPerValue(MlirAttribute attr);
/// The parameters of the quantization kernels for `attr` (mase::numerics::
/// MXParams of MXQuantize.h, rounding half to even, as mase::mx::kernelParams
/// reads them): copies them to `out` when `size` is their size in bytes, and
/// returns that size. A compiled kernel of the same build takes them as is.
MLIR_CAPI_EXPORTED intptr_t maseMXFormatAttrGetKernelParams(MlirAttribute attr,
                                                            void *out,
                                                            intptr_t size);

//===--- Ops and attributes -----------------------------------------------===//

/// The attribute marking a kernel loop's scf.for (`mx.kernel_loop`).
MLIR_CAPI_EXPORTED MlirStringRef maseMXKernelLoopAttrName(void);
/// The attribute listing a kernel loop body op's name in every layer
/// (`mx.layer_names`).
MLIR_CAPI_EXPORTED MlirStringRef maseMXLayerNamesAttrName(void);

/// Whether `op` is a compute op whose operands take MX formats
/// (QuantizableOpInterface).
MLIR_CAPI_EXPORTED bool maseMXOperationIsQuantizable(MlirOperation op);
/// The role of operand `index` of a quantizable op, as mase::mx::OperandRole;
/// -1 when the operand is never quantized.
MLIR_CAPI_EXPORTED int maseMXOperationGetOperandRole(MlirOperation op,
                                                     intptr_t index);
/// Calls `callback` with the name of every mx op that is quantizable, in
/// alphabetical order (loads the mx dialect into `ctx`).
MLIR_CAPI_EXPORTED void maseMXGetQuantizableOpNames(MlirContext ctx,
                                                    MlirStringCallback callback,
                                                    void *userData);
/// Calls `callback` with the project-wide spelling of the value of an mx
/// attribute: an enum (`even`, `lt`, `tanh`, ...), a format (`mxint8`) or an
/// accumulation (`bounded<4>`). Returns false (no call) for other attributes.
MLIR_CAPI_EXPORTED bool maseMXAttributeGetSpelling(MlirAttribute attr,
                                                   MlirStringCallback callback,
                                                   void *userData);

//===--- TensorType -------------------------------------------------------===//

MLIR_CAPI_EXPORTED bool maseTypeIsAMXTensor(MlirType type);
/// Returns a null type (and emits a diagnostic at `loc`) when invalid.
MLIR_CAPI_EXPORTED MlirType maseMXTensorTypeGetChecked(MlirLocation loc,
                                                       intptr_t rank,
                                                       const int64_t *shape,
                                                       MlirAttribute format,
                                                       unsigned axis);
MLIR_CAPI_EXPORTED intptr_t maseMXTensorTypeGetRank(MlirType type);
MLIR_CAPI_EXPORTED int64_t maseMXTensorTypeGetDimSize(MlirType type,
                                                      intptr_t dim);
MLIR_CAPI_EXPORTED MlirAttribute maseMXTensorTypeGetFormat(MlirType type);
MLIR_CAPI_EXPORTED unsigned maseMXTensorTypeGetAxis(MlirType type);
MLIR_CAPI_EXPORTED int64_t maseMXTensorTypeGetNumBlocks(MlirType type);
/// Bits of the whole tensor in memory: element codes and scales.
MLIR_CAPI_EXPORTED int64_t maseMXTensorTypeGetStorageBits(MlirType type);

//===--- MX constants -----------------------------------------------------===//

/// Number of elements of an integer DenseElementsAttr (the scales or codes of
/// an mx.constant), or -1 if `attr` is not one.
MLIR_CAPI_EXPORTED intptr_t
maseDenseIntElementsGetNumElements(MlirAttribute attr);
/// Copies the elements, zero-extended, into `out` (room for every element).
/// MX scale and element codes are at most 16 bits wide.
MLIR_CAPI_EXPORTED void maseDenseIntElementsCopyZExt16(MlirAttribute attr,
                                                       uint16_t *out);

#ifdef __cplusplus
}
#endif

#endif // MASE_MLIR_C_DIALECTS_H
