//===- MXKernelParams.h - a format's quantization kernel parameters -*- C++ -*-===//
//
// The parameters of the bit-exact quantization kernels (MXQuantize.h) read off
// a `#mx.format`, in one place: constant folding (MXOps.cpp) and, through the
// C API, the compiled kernel of mase_mlir.numerics (numerics/_fast.cpp) use it.
//
//===----------------------------------------------------------------------===//

#ifndef MASE_MLIR_DIALECT_MX_MXKERNELPARAMS_H
#define MASE_MLIR_DIALECT_MX_MXKERNELPARAMS_H

#include "mase-mlir/Dialect/MX/MXTypes.h"
#include "mase-mlir/Numerics/MXQuantize.h"

namespace mase::mx {

/// The kernel parameters of `format`, rounding half to even or half away
/// from zero.
mase::numerics::MXParams kernelParams(FormatAttr format, bool roundEven);

} // namespace mase::mx

#endif // MASE_MLIR_DIALECT_MX_MXKERNELPARAMS_H
