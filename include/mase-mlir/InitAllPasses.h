//===- InitAllPasses.h - register every mase-mlir pass ----------*- C++ -*-===//
//
// One registration call for the tools, the mlir-opt plugin and the C API.
//
//===----------------------------------------------------------------------===//

#ifndef MASE_MLIR_INITALLPASSES_H
#define MASE_MLIR_INITALLPASSES_H

#include "mase-mlir/Conversion/Passes.h"
#include "mase-mlir/Transforms/Passes.h"

namespace mase {

/// Registers the transform and conversion passes.
inline void registerAllPasses() {
  mx::registerMXTransformsPasses();
  mx::registerMXConversionPasses();
}

} // namespace mase

#endif // MASE_MLIR_INITALLPASSES_H
