//===- MXKernelParams.cpp - a format's quantization kernel parameters -----===//

#include "mase-mlir/Dialect/MX/MXKernelParams.h"

using namespace mase::mx;

static_assert(int(ElementSpecials::Finite) ==
                      int(mase::numerics::Specials::Finite) &&
                  int(ElementSpecials::NaNOnly) ==
                      int(mase::numerics::Specials::NaNOnly) &&
                  int(ElementSpecials::InfNaN) ==
                      int(mase::numerics::Specials::InfNaN),
              "the kernel's Specials mirror the dialect's ElementSpecials");

mase::numerics::MXParams mase::mx::kernelParams(FormatAttr format,
                                                bool roundEven) {
  mase::numerics::MXParams p{};
  p.isInt = format.hasIntegerElements(); // two's-complement elements
  p.elementBits = int(format.getElementBits());
  p.fractionBits = int(format.getFractionBits());
  p.exponentBits = int(format.getExponentBits());
  p.elementBias = format.getElementBias();
  p.emin = format.getElementMinExponent();
  p.emaxElem = format.getElementMaxExponent();
  p.maxCode = int(format.getMaxCode());
  p.specials = mase::numerics::Specials(format.getSpecials());
  p.scaleBits = int(format.getScaleBits());
  p.blockSize = int(format.getBlockSize());
  p.scaleBias = format.getScaleBias();
  p.scaleMin = format.getScaleMin();
  p.scaleMax = format.getScaleMax();
  p.scaleNaN = format.getScaleNaNCode();
  p.roundEven = roundEven;
  return p;
}
