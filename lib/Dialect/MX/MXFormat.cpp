//===- MXFormat.cpp - The MX format attribute and its spelling ------------===//
//
// One spelling for formats everywhere (IR, configs, Python numerics):
// `mxint<M,E,B>`, `mxfp<eXmY,E,B>`, the OCP short names and `fixed<W,F>`.
//
//===----------------------------------------------------------------------===//

#include "mase-mlir/Dialect/MX/MXDialect.h"
#include "mase-mlir/Dialect/MX/MXTypes.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace mase::mx;

#include "MX/MXEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "MX/MXAttrs.cpp.inc"

namespace {
/// The OCP float elements: exponent bits X, fraction bits Y, special codes.
struct FloatElement {
  llvm::StringLiteral name;
  unsigned exponentBits, fractionBits;
  ElementSpecials specials;
};
constexpr FloatElement kFloatElements[] = {
    {"e5m2", 5, 2, ElementSpecials::InfNaN},
    {"e4m3", 4, 3, ElementSpecials::NaNOnly},
    {"e3m2", 3, 2, ElementSpecials::Finite},
    {"e2m3", 2, 3, ElementSpecials::Finite},
    {"e2m1", 2, 1, ElementSpecials::Finite}};

const FloatElement *findFloatElement(unsigned exponentBits,
                                     unsigned fractionBits) {
  for (const FloatElement &e : kFloatElements)
    if (e.exponentBits == exponentBits && e.fractionBits == fractionBits)
      return &e;
  return nullptr;
}

struct Params {
  ElementKind kind;
  unsigned elementBits, exponentBits, scaleBits, blockSize;
  int fixedFraction;
};

/// OCP MX v1.0 concrete formats: 8-bit E8M0 scale, blocks of 32.
struct ShortName {
  llvm::StringLiteral name;
  ElementKind kind;
  unsigned elementBits, exponentBits;
};
constexpr ShortName kShortNames[] = {{"mxfp8_e5m2", ElementKind::Float, 8, 5},
                                     {"mxfp8_e4m3", ElementKind::Float, 8, 4},
                                     {"mxfp6_e3m2", ElementKind::Float, 6, 3},
                                     {"mxfp6_e2m3", ElementKind::Float, 6, 2},
                                     {"mxfp4_e2m1", ElementKind::Float, 4, 2},
                                     {"mxint8", ElementKind::Int, 8, 0}};
constexpr unsigned kOCPScaleBits = 8, kOCPBlockSize = 32;

/// Parses the spelling into raw parameters; range checks are the verifier's.
FailureOr<Params> parseSpelling(StringRef spelling, std::string &error) {
  std::string compact;
  for (char c : spelling)
    if (!llvm::isSpace(c))
      compact.push_back(c);
  StringRef s(compact);
  for (const ShortName &n : kShortNames)
    if (s == n.name)
      return Params{n.kind, n.elementBits, n.exponentBits, kOCPScaleBits,
                    kOCPBlockSize, 0};

  if (s.consume_front("fixed<")) {
    SmallVector<StringRef, 2> fields;
    if (!s.consume_back(">") || (s.split(fields, ','), fields.size() != 2)) {
      error = "fixed-point format '" + spelling.str() +
              "' needs two parameters <width,fraction bits>";
      return failure();
    }
    Params p{ElementKind::Fixed, 0, 0, 0, 1, 0};
    if (fields[0].getAsInteger(10, p.elementBits) ||
        fields[1].getAsInteger(10, p.fixedFraction)) {
      error = "expected an integer width and fraction bits in '" +
              spelling.str() + "'";
      return failure();
    }
    return p;
  }

  ElementKind kind;
  if (s.consume_front("mxint<"))
    kind = ElementKind::Int;
  else if (s.consume_front("mxfp<"))
    kind = ElementKind::Float;
  else {
    error = "unknown MX format '" + spelling.str() +
            "' (expected mxint<M,E,B>, mxfp<eXmY,E,B>, mxfp8_e5m2, "
            "mxfp8_e4m3, mxfp6_e3m2, mxfp6_e2m3, mxfp4_e2m1, mxint8 or "
            "fixed<W,F>)";
    return failure();
  }
  if (!s.consume_back(">")) {
    error = "expected '>' at the end of MX format '" + spelling.str() + "'";
    return failure();
  }
  SmallVector<StringRef, 3> fields;
  s.split(fields, ',');
  if (fields.size() != 3) {
    error = "MX format '" + spelling.str() +
            "' needs three parameters <element,scale bits,block size>";
    return failure();
  }
  Params p{kind, 0, 0, 0, 0, 0};
  if (kind == ElementKind::Int) {
    if (fields[0].getAsInteger(10, p.elementBits)) {
      error = "expected an integer element width in '" + spelling.str() + "'";
      return failure();
    }
  } else {
    const FloatElement *found = nullptr;
    for (const FloatElement &e : kFloatElements)
      if (fields[0] == e.name)
        found = &e;
    if (!found) {
      error = "unknown MX float element '" + fields[0].str() +
              "' (expected e5m2, e4m3, e3m2, e2m3 or e2m1)";
      return failure();
    }
    p.exponentBits = found->exponentBits;
    p.elementBits = 1 + found->exponentBits + found->fractionBits;
  }
  if (fields[1].getAsInteger(10, p.scaleBits) ||
      fields[2].getAsInteger(10, p.blockSize)) {
    error = "expected integer scale bits and block size in '" + spelling.str() +
            "'";
    return failure();
  }
  return p;
}
} // namespace

LogicalResult FormatAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 ElementKind kind, unsigned elementBits,
                                 unsigned exponentBits, unsigned scaleBits,
                                 unsigned blockSize, int fixedFraction) {
  if (kind == ElementKind::Fixed) {
    if (elementBits < 2 || elementBits > 16)
      return emitError() << "fixed-point width must be in 2..16, got "
                         << elementBits;
    if (fixedFraction < -kMaxFixedFraction || fixedFraction > kMaxFixedFraction)
      return emitError() << "fixed-point fraction bits must be in -"
                         << kMaxFixedFraction << ".." << kMaxFixedFraction
                         << ", got " << fixedFraction;
    if (exponentBits != 0 || scaleBits != 0 || blockSize != 1)
      return emitError() << "fixed-point formats have no exponent, no scale "
                            "and blocks of one value";
    return success();
  }
  if (fixedFraction != 0)
    return emitError() << "only fixed-point formats have fraction bits F";
  if (kind == ElementKind::Int) {
    if (exponentBits != 0)
      return emitError() << "mxint elements have no exponent bits";
    if (elementBits < 2 || elementBits > 16)
      return emitError() << "mxint element width must be in 2..16, got "
                         << elementBits;
  } else if (elementBits <= exponentBits ||
             !findFloatElement(exponentBits, elementBits - 1 - exponentBits)) {
    return emitError() << "unsupported MX float element of " << elementBits
                       << " bits with " << exponentBits
                       << " exponent bits (expected e5m2, e4m3, e3m2, e2m3 or "
                          "e2m1)";
  }
  if (scaleBits < 1 || scaleBits > 8)
    return emitError() << "MX scale width must be in 1..8 bits, got "
                       << scaleBits;
  if (blockSize < 1)
    return emitError() << "MX block size must be at least 1, got " << blockSize;
  return success();
}

//===----------------------------------------------------------------------===//
// Facts
//===----------------------------------------------------------------------===//

unsigned FormatAttr::getFractionBits() const {
  return hasIntegerElements() ? getElementBits() - 2
                              : getElementBits() - 1 - getExponentBits();
}

int FormatAttr::getElementBias() const {
  return hasIntegerElements() ? 0 : (1 << (getExponentBits() - 1)) - 1;
}

int FormatAttr::getElementMinExponent() const {
  return hasIntegerElements() ? 0 : 1 - getElementBias();
}

int FormatAttr::getElementMaxExponent() const {
  return hasIntegerElements()
             ? 0
             : int(getMaxCode() >> getFractionBits()) - getElementBias();
}

ElementSpecials FormatAttr::getSpecials() const {
  if (hasIntegerElements())
    return ElementSpecials::Finite;
  return findFloatElement(getExponentBits(), getFractionBits())->specials;
}

unsigned FormatAttr::getMaxCode() const {
  if (hasIntegerElements())
    return (1u << (getElementBits() - 1)) - 1;
  unsigned all = (1u << (getElementBits() - 1)) - 1; // every magnitude code
  switch (getSpecials()) {
  case ElementSpecials::InfNaN:
    return all - (1u << getFractionBits()); // the all-ones exponent
  case ElementSpecials::NaNOnly:
    return all - 1; // S.1111.111
  case ElementSpecials::Finite:
    return all;
  }
  llvm_unreachable("unknown element specials");
}

double FormatAttr::getMaxElement() const {
  unsigned fraction = getFractionBits();
  if (hasIntegerElements())
    return std::ldexp(double(getMaxCode()), -int(fraction));
  unsigned mantissa = getMaxCode() & ((1u << fraction) - 1);
  return std::ldexp(double(mantissa | (1u << fraction)),
                    getElementMaxExponent() - int(fraction));
}

double FormatAttr::getElementStep() const {
  return std::ldexp(1.0, getElementMinExponent() - int(getFractionBits()));
}

/// The one scale exponent of fixed<W,F>: its value q * 2^-F is the mxint<W>
/// element q * 2^-(W-2) times 2^(W-2-F).
static int fixedScale(FormatAttr f) {
  return int(f.getElementBits()) - 2 - f.getFixedFraction();
}

int FormatAttr::getScaleBias() const {
  if (isFixed())
    return -fixedScale(*this);
  return (1 << (getScaleBits() - 1)) - 1;
}

int FormatAttr::getScaleMin() const {
  return isFixed() ? fixedScale(*this) : -getScaleBias();
}

int FormatAttr::getScaleMax() const {
  if (isFixed())
    return fixedScale(*this);
  return (1 << getScaleBits()) - 2 - getScaleBias();
}

unsigned FormatAttr::getScaleNaNCode() const {
  return isFixed() ? 1 : (1u << getScaleBits()) - 1;
}

double FormatAttr::getBitsPerValue() const {
  return getElementBits() + double(getScaleBits()) / getBlockSize();
}

int64_t FormatAttr::getNumBlocks(int64_t numElements) const {
  return numElements / getBlockSize();
}

int64_t FormatAttr::getStorageBits(int64_t numElements) const {
  return numElements * getElementBits() +
         getNumBlocks(numElements) * getScaleBits();
}

//===----------------------------------------------------------------------===//
// Spelling
//===----------------------------------------------------------------------===//

std::string FormatAttr::str() const {
  if (isFixed())
    return "fixed<" + std::to_string(getElementBits()) + "," +
           std::to_string(getFixedFraction()) + ">";
  if (getScaleBits() == kOCPScaleBits && getBlockSize() == kOCPBlockSize)
    for (const ShortName &n : kShortNames)
      if (n.kind == getKind() && n.elementBits == getElementBits() &&
          n.exponentBits == getExponentBits())
        return n.name.str();
  std::string out;
  llvm::raw_string_ostream os(out);
  if (isInt())
    os << "mxint<" << getElementBits();
  else
    os << "mxfp<e" << getExponentBits() << "m" << getFractionBits();
  os << "," << getScaleBits() << "," << getBlockSize() << ">";
  return out;
}

FormatAttr FormatAttr::parse(MLIRContext *ctx, StringRef spelling,
                             function_ref<InFlightDiagnostic()> emitError) {
  std::string error;
  FailureOr<Params> p = parseSpelling(spelling, error);
  if (failed(p)) {
    emitError() << error;
    return {};
  }
  return getChecked(emitError, ctx, p->kind, p->elementBits, p->exponentBits,
                    p->scaleBits, p->blockSize, p->fixedFraction);
}

namespace mase::mx {
/// Parses a format in IR (`mxint<4,8,16>`, `mxfp8_e4m3`, ...) by collecting
/// its tokens into the spelling, so that one parser serves IR and configs.
FormatAttr parseFormat(AsmParser &parser) {
  SMLoc loc = parser.getCurrentLocation();
  StringRef head;
  if (parser.parseKeyword(&head))
    return {};
  std::string spelling = head.str();
  if (succeeded(parser.parseOptionalLess())) {
    spelling += "<";
    StringRef element;
    if (succeeded(parser.parseOptionalKeyword(&element))) {
      spelling += element.str();
    } else {
      int64_t width;
      if (parser.parseInteger(width))
        return {};
      spelling += std::to_string(width);
    }
    // mxint/mxfp: <element,E,B>; fixed: <W,F> with a signed F.
    int64_t second;
    if (parser.parseComma() || parser.parseInteger(second))
      return {};
    spelling += "," + std::to_string(second);
    if (succeeded(parser.parseOptionalComma())) {
      int64_t blockSize;
      if (parser.parseInteger(blockSize))
        return {};
      spelling += "," + std::to_string(blockSize);
    }
    if (parser.parseGreater())
      return {};
    spelling += ">";
  }
  return FormatAttr::parse(parser.getContext(), spelling,
                           [&] { return parser.emitError(loc); });
}
} // namespace mase::mx

Attribute FormatAttr::parse(AsmParser &parser, Type) {
  if (parser.parseLess())
    return {};
  FormatAttr format = parseFormat(parser);
  if (!format || parser.parseGreater())
    return {};
  return format;
}

void FormatAttr::print(AsmPrinter &printer) const {
  printer << "<" << str() << ">";
}

void MXDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "MX/MXAttrs.cpp.inc"
      >();
}
