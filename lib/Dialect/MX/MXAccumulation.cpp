//===- MXAccumulation.cpp - How contractions accumulate -------------------===//
//
// `#mx.acc<exact>` and `#mx.acc<bounded<G>>`, spelled as in configs and in
// `mase_mlir.numerics.accumulate`, which defines both.
//
//===----------------------------------------------------------------------===//

#include "mase-mlir/Dialect/MX/MXDialect.h"
#include "mase-mlir/Dialect/MX/MXTypes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace mase::mx;

LogicalResult
AccumulationAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                         bool bounded, unsigned guardBits) {
  if (!bounded && guardBits != 0)
    return emitError() << "exact accumulation has no guard bits";
  if (guardBits > kMaxGuardBits)
    return emitError() << "accumulator guard bits must be in 0.."
                       << kMaxGuardBits << ", got " << guardBits;
  return success();
}

std::string AccumulationAttr::str() const {
  if (!getBounded())
    return "exact";
  return "bounded<" + std::to_string(getGuardBits()) + ">";
}

AccumulationAttr
AccumulationAttr::parse(MLIRContext *ctx, StringRef spelling,
                        function_ref<InFlightDiagnostic()> emitError) {
  std::string compact;
  for (char c : spelling)
    if (!llvm::isSpace(c))
      compact.push_back(c);
  StringRef s(compact);
  if (s == "exact")
    return get(ctx, false, 0);
  unsigned guard = 0;
  if (s.consume_front("bounded<") && s.consume_back(">") &&
      !s.getAsInteger(10, guard))
    return getChecked(emitError, ctx, true, guard);
  emitError() << "unknown accumulation '" << spelling
              << "' (expected 'exact' or 'bounded<G>' with G guard bits)";
  return {};
}

Attribute AccumulationAttr::parse(AsmParser &parser, Type) {
  SMLoc loc = parser.getCurrentLocation();
  auto emitError = [&] { return parser.emitError(loc); };
  StringRef kind;
  if (parser.parseLess() || parser.parseKeyword(&kind))
    return {};
  if (kind == "exact") {
    if (parser.parseGreater())
      return {};
    return get(parser.getContext(), false, 0);
  }
  if (kind != "bounded") {
    emitError() << "unknown accumulation '" << kind
                << "' (expected 'exact' or 'bounded<G>')";
    return {};
  }
  int64_t guard;
  if (parser.parseLess() || parser.parseInteger(guard) ||
      parser.parseGreater() || parser.parseGreater())
    return {};
  if (guard < 0 || guard > kMaxGuardBits) {
    emitError() << "accumulator guard bits must be in 0.." << kMaxGuardBits
                << ", got " << guard;
    return {};
  }
  return getChecked(emitError, parser.getContext(), true, unsigned(guard));
}

void AccumulationAttr::print(AsmPrinter &printer) const {
  printer << "<" << str() << ">";
}
