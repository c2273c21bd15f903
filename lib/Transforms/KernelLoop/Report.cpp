//===- Report.cpp - the JSON report of mx-kernel-loop ---------------------===//

#include "KernelLoop.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mase::mx;

llvm::json::Object mase::mx::loopReport(const LoopSummary &summary) {
  return llvm::json::Object{{"function", summary.function},
                            {"first_op", summary.firstOp},
                            {"layers", summary.layers},
                            {"ops_per_layer", summary.opsPerLayer},
                            {"weights_stacked", summary.stacked},
                            {"constants_shared", summary.shared},
                            {"carried", summary.carried},
                            {"stopped_by", summary.stop},
                            {"extra_weight_bits", summary.extraBits}};
}

LogicalResult
mase::mx::writeLoopReport(StringRef path, llvm::json::Array loops,
                          function_ref<InFlightDiagnostic()> emitError) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_Text);
  if (ec)
    return emitError() << "mx-kernel-loop: cannot write report '" << path
                       << "': " << ec.message();
  os << llvm::formatv("{0:2}", llvm::json::Value(llvm::json::Object{
                                   {"loops", std::move(loops)}}))
     << "\n";
  return success();
}
