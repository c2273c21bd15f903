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

include "MXHW/MXHWAttrs.td"
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

// Operands that are a stream when computed and a memory when constant
// (elementwise ops with a constant operand: scales, tables, masks).
def MXHW_StreamOrConstant : AnyTypeOf<[MXHW_Stream, MXHW_Constant],
                                      "stream of MX blocks or MX tensor in a memory">;

// One file per family of units.
include "MXHW/ContractionOps.td"
include "MXHW/ElementwiseOps.td"
include "MXHW/ViewOps.td"
include "MXHW/RowOps.td"

#endif // MASE_MXHW_OPS
