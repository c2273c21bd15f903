//===- MXFormat.cpp - The MX format attribute and its spelling ------------===//
//
// One spelling for formats everywhere (IR, configs, Python numerics):
// `mxint<M,E,B>`, `mxfp<eXmY,E,B>` and the OCP short names.
//
//===----------------------------------------------------------------------===//

#include "mase-mlir/Dialect/MX/MXDialect.h"
#include "mase-mlir/Dialect/MX/MXTypes.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mase::mx;

#include "MX/MXEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "MX/MXAttrs.cpp.inc"

namespace {
struct FloatElement {
  llvm::StringLiteral name;
  unsigned exponentBits, mantissaBits;
};
constexpr FloatElement kFloatElements[] = {
    {"e5m2", 5, 2}, {"e4m3", 4, 3}, {"e3m2", 3, 2}, {"e2m3", 2, 3}, {"e2m1", 2, 1}};

struct ShortName {
  llvm::StringLiteral name;
  ElementKind kind;
  unsigned exponentBits, mantissaBits;
};
// OCP MX v1.0 concrete formats: 8-bit E8M0 scale, blocks of 32.
constexpr ShortName kShortNames[] = {
    {"mxfp8_e5m2", ElementKind::Float, 5, 2},
    {"mxfp8_e4m3", ElementKind::Float, 4, 3},
    {"mxfp6_e3m2", ElementKind::Float, 3, 2},
    {"mxfp6_e2m3", ElementKind::Float, 2, 3},
    {"mxfp4_e2m1", ElementKind::Float, 2, 1},
    {"mxint8", ElementKind::Int, 0, 8}};
constexpr unsigned kOCPScaleBits = 8, kOCPBlockSize = 32;

struct Params {
  ElementKind kind;
  unsigned exponentBits, mantissaBits, scaleBits, blockSize;
};

/// Parses the spelling into raw parameters; range checks are the verifier's.
FailureOr<Params> parseSpelling(StringRef spelling, std::string &error) {
  std::string compact;
  for (char c : spelling)
    if (!llvm::isSpace(c))
      compact.push_back(c);
  StringRef s(compact);
  for (const ShortName &n : kShortNames)
    if (s == n.name)
      return Params{n.kind, n.exponentBits, n.mantissaBits, kOCPScaleBits,
                    kOCPBlockSize};

  ElementKind kind;
  if (s.consume_front("mxint<"))
    kind = ElementKind::Int;
  else if (s.consume_front("mxfp<"))
    kind = ElementKind::Float;
  else {
    error = "unknown MX format '" + spelling.str() +
            "' (expected mxint<M,E,B>, mxfp<eXmY,E,B>, mxfp8_e5m2, "
            "mxfp8_e4m3, mxfp6_e3m2, mxfp6_e2m3, mxfp4_e2m1 or mxint8)";
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
  Params p{kind, 0, 0, 0, 0};
  if (kind == ElementKind::Int) {
    if (fields[0].getAsInteger(10, p.mantissaBits)) {
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
    p.mantissaBits = found->mantissaBits;
  }
  if (fields[1].getAsInteger(10, p.scaleBits) ||
      fields[2].getAsInteger(10, p.blockSize)) {
    error = "expected integer scale bits and block size in '" +
            spelling.str() + "'";
    return failure();
  }
  return p;
}
} // namespace

LogicalResult
FormatAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                   ElementKind kind, unsigned exponentBits,
                   unsigned mantissaBits, unsigned scaleBits,
                   unsigned blockSize) {
  if (kind == ElementKind::Int) {
    if (exponentBits != 0)
      return emitError() << "mxint elements have no exponent bits";
    if (mantissaBits < 2 || mantissaBits > 16)
      return emitError() << "mxint element width must be in 2..16, got "
                         << mantissaBits;
  } else {
    bool known = llvm::any_of(kFloatElements, [&](const FloatElement &e) {
      return e.exponentBits == exponentBits && e.mantissaBits == mantissaBits;
    });
    if (!known)
      return emitError() << "unsupported MX float element e" << exponentBits
                         << "m" << mantissaBits
                         << " (expected e5m2, e4m3, e3m2, e2m3 or e2m1)";
  }
  if (scaleBits < 1 || scaleBits > 8)
    return emitError() << "MX scale width must be in 1..8 bits, got "
                       << scaleBits;
  if (blockSize < 1)
    return emitError() << "MX block size must be at least 1, got "
                       << blockSize;
  return success();
}

unsigned FormatAttr::getElementBits() const {
  return isInt() ? getMantissaBits() : 1 + getExponentBits() + getMantissaBits();
}

double FormatAttr::getBitsPerValue() const {
  return getElementBits() + double(getScaleBits()) / getBlockSize();
}

std::string FormatAttr::str() const {
  if (getScaleBits() == kOCPScaleBits && getBlockSize() == kOCPBlockSize)
    for (const ShortName &n : kShortNames)
      if (n.kind == getKind() && n.exponentBits == getExponentBits() &&
          n.mantissaBits == getMantissaBits())
        return n.name.str();
  std::string out;
  llvm::raw_string_ostream os(out);
  if (isInt())
    os << "mxint<" << getMantissaBits();
  else
    os << "mxfp<e" << getExponentBits() << "m" << getMantissaBits();
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
  return getChecked(emitError, ctx, p->kind, p->exponentBits, p->mantissaBits,
                    p->scaleBits, p->blockSize);
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
    int64_t scaleBits, blockSize;
    if (parser.parseComma() || parser.parseInteger(scaleBits) ||
        parser.parseComma() || parser.parseInteger(blockSize) ||
        parser.parseGreater())
      return {};
    spelling += "," + std::to_string(scaleBits) + "," +
                std::to_string(blockSize) + ">";
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
