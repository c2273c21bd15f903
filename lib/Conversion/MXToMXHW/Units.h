//===- Units.h - the mx ops with a hardware unit ----------------*- C++ -*-===//
//
// The table of lowerable ops and the pattern sets of each family of units
// (one .cpp per family). Private to convert-mx-to-mxhw.
//
//===----------------------------------------------------------------------===//

#ifndef MASE_LIB_CONVERSION_MXTOMXHW_UNITS_H
#define MASE_LIB_CONVERSION_MXTOMXHW_UNITS_H

#include "mlir/IR/Value.h"
#include "mlir/Transforms/DialectConversion.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>

namespace mase::mxhw {

/// An mx op with a hardware unit. Bit `i` of `memoryOnly` marks an operand the
/// unit reads from a memory (a constant, or a function argument used only as
/// such: linear weights); bit `i` of `memoryAllowed` an operand that may be a
/// memory (a constant) or a stream (a computed value).
struct UnitInfo {
  llvm::StringLiteral opName;
  uint32_t memoryOnly;
  uint32_t memoryAllowed;
};

/// Every lowerable op, in the order diagnostics list them.
inline constexpr UnitInfo kUnits[] = {
    {"mx.linear", 0b110, 0b110},
    {"mx.relu", 0, 0},
};

/// The unit of `opName`, or null.
const UnitInfo *lookupUnit(llvm::StringRef opName);

/// Whether operand `index` of a unit of `info` reads the value from a memory:
/// a memory-only operand, or a memory-allowed one that is a constant.
bool readsMemory(const UnitInfo &info, unsigned index, mlir::Value value);

/// The value a pattern passes for operand `index`: the original constant for a
/// memory, the converted stream otherwise.
mlir::Value unitOperand(const UnitInfo &info, unsigned index, mlir::Value original,
                        mlir::Value converted);

void populateLinearLowering(mlir::TypeConverter &converter,
                            mlir::RewritePatternSet &patterns);
void populateElementwiseLowering(mlir::TypeConverter &converter,
                                 mlir::RewritePatternSet &patterns);

} // namespace mase::mxhw

#endif // MASE_LIB_CONVERSION_MXTOMXHW_UNITS_H
