//===- Units.h - the mx ops with a hardware unit ----------------*- C++ -*-===//
//
// The table of lowerable ops and the pattern sets of each family of units
// (one .cpp per family). Private to convert-mx-to-mxhw.
//
//===----------------------------------------------------------------------===//

#ifndef MASE_LIB_CONVERSION_MXTOMXHW_UNITS_H
#define MASE_LIB_CONVERSION_MXTOMXHW_UNITS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Value.h"
#include "mlir/Transforms/DialectConversion.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>

namespace mase::mxhw {

/// An mx op with a hardware unit. Bit `i` of `memoryOnly` marks an operand the
/// unit reads from a memory (a constant, or a function argument used only as
/// such: linear weights); bit `i` of `memoryAllowed` an operand that may be a
/// memory (a constant) or a stream (a computed value); bit `i` of
/// `scalarAllowed` an operand that may be an f32 splat constant (the unit
/// holds its value). `check`, if set, diagnoses what else the unit needs.
/// Bit `i` of `boolMemory` marks a memory-only operand that is a tensor of i1
/// (a softmax mask: an `arith.constant` or a function argument), not MX.
struct UnitInfo {
  llvm::StringLiteral opName;
  uint32_t memoryOnly;
  uint32_t memoryAllowed;
  uint32_t scalarAllowed = 0;
  mlir::LogicalResult (*check)(mlir::Operation *op) = nullptr;
  uint32_t boolMemory = 0;
};

/// Checks of the elementwise binary units (ElementwiseLowering.cpp).
mlir::LogicalResult checkElementwiseBinary(mlir::Operation *op);

/// Checks of the row units (RowLowering.cpp): statistics over the last axis.
mlir::LogicalResult checkRowUnit(mlir::Operation *op);

/// Every lowerable op, in the order diagnostics list them.
inline constexpr UnitInfo kUnits[] = {
    {"mx.linear", 0b110, 0b110},
    {"mx.relu", 0, 0},
    {"mx.matmul", 0, 0},
    {"mx.batch_matmul", 0, 0},
    // Data movement (ViewLowering.cpp): MX-typed shape ops, neg and cast, and
    // the same ops on floats between an mx.dequantize and an mx.quantize.
    {"mx.reshape", 0, 0},
    {"mx.transpose", 0, 0},
    {"mx.slice", 0, 0},
    {"mx.concat", 0, 0},
    {"mx.broadcast", 0, 0},
    {"mx.neg", 0, 0},
    {"mx.cast", 0, 0},
    // Elementwise arithmetic (ElementwiseLowering.cpp): a constant operand
    // from a memory, an f32 splat as the unit's scalar.
    {"mx.add", 0, 0b11, 0b11, checkElementwiseBinary},
    {"mx.sub", 0, 0b11, 0b11, checkElementwiseBinary},
    {"mx.mul", 0, 0b11, 0b11, checkElementwiseBinary},
    // Row units (RowLowering.cpp): the norms' weight and bias and the softmax
    // mask (a bit memory) in memories.
    {"mx.softmax", 0b10, 0b10, 0, checkRowUnit, 0b10},
    {"mx.layer_norm", 0b110, 0b110, 0, checkRowUnit},
    {"mx.rms_norm", 0b10, 0b10, 0, checkRowUnit},
    // Activations from tables (ElementwiseLowering.cpp).
    {"mx.gelu", 0, 0},
    {"mx.silu", 0, 0},
    {"mx.tanh", 0, 0},
    {"mx.sigmoid", 0, 0},
};

/// The unit of `opName`, or null.
const UnitInfo *lookupUnit(llvm::StringRef opName);

/// Whether operand `index` of a unit of `info` reads the value from a memory:
/// a memory-only operand, or a memory-allowed one that is a constant.
bool readsMemory(const UnitInfo &info, unsigned index, mlir::Value value);

/// The f32 value of a splat f32 constant (a scalar the unit holds), or null.
mlir::FloatAttr scalarConstant(mlir::Value value);

/// A value the hardware keeps in a memory: an mx.constant, or a kernel loop's
/// slice of a stacked one (`mx.take` of a constant at the loop's induction
/// variable: each layer's weights, read at base + layer x stride).
bool isMemoryValue(mlir::Value value);

/// A static tensor of i1 (a mask), and a constant one (`arith.constant`).
bool isBoolTensor(mlir::Type type);
bool isBoolConstant(mlir::Value value);

/// The value a pattern passes for operand `index`: the original constant for a
/// memory, the converted stream otherwise.
mlir::Value unitOperand(const UnitInfo &info, unsigned index, mlir::Value original,
                        mlir::Value converted);

void populateLinearLowering(mlir::TypeConverter &converter,
                            mlir::RewritePatternSet &patterns);
void populateElementwiseLowering(mlir::TypeConverter &converter,
                                 mlir::RewritePatternSet &patterns);
void populateMatmulLowering(mlir::TypeConverter &converter,
                            mlir::RewritePatternSet &patterns);
void populateViewLowering(mlir::TypeConverter &converter,
                          mlir::RewritePatternSet &patterns);

//===--- Views (ViewLowering.cpp) -----------------------------------------===//

/// An op that becomes an mxhw.view or mxhw.reblock: mx.quantize, mx.cast, an
/// MX-typed shape op or neg (the root of an island of data movement).
bool isViewRoot(mlir::Operation *op);
/// An op inside an island: mx.dequantize, a shape op or neg on floats.
bool isViewInterior(mlir::Operation *op);
/// Diagnoses an island the hardware cannot move (at the offending op).
mlir::LogicalResult checkView(mlir::Operation *root);
/// Islands of constants become constants (before anything is checked).
void foldConstantViews(mlir::func::FuncOp func);
/// Island interiors are legal during the conversion ...
void addViewLegality(mlir::ConversionTarget &target);
/// ... and erased once the views replaced their roots.
void eraseDeadViewInteriors(mlir::func::FuncOp func);
/// A view of a `[..., K, N]` stream blocked along K as `[..., N, K]` (the
/// batch_matmul unit's rhs).
mlir::Value transposedRhs(mlir::OpBuilder &builder, mlir::Location loc,
                          mlir::Value stream, mlir::StringAttr name);

/// The row units' patterns.
void populateRowLowering(mlir::TypeConverter &converter,
                         mlir::RewritePatternSet &patterns);

} // namespace mase::mxhw

#endif // MASE_LIB_CONVERSION_MXTOMXHW_UNITS_H
