//===- MXToHWIRPipeline.cpp - the mx-to-hw-ir pass pipeline ---------------===//
//
// mx -> integer block arithmetic on memories -> cf level, legalized for
// CIRCT's handshake lowering.
//
//===----------------------------------------------------------------------===//

#include "mase-mlir/Conversion/Passes.h"

#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void mase::buildMXToHWIRPipeline(OpPassManager &pm, unsigned accGuardBits) {
  mase::mx::MXLowerToHWLoopsOptions opts;
  opts.accGuardBits = accGuardBits;
  pm.addPass(mase::mx::createMXLowerToHWLoops(opts));
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(mase::mx::createMXHWLegalize());
}

namespace {
struct PipelineOptions : public PassPipelineOptions<PipelineOptions> {
  Option<unsigned> accGuardBits{
      *this, "acc-guard-bits",
      llvm::cl::desc("Accumulator guard bits (see mx-lower-to-hw-loops)"),
      llvm::cl::init(16)};
};
} // namespace

void mase::registerMXToHWIRPipeline() {
  PassPipelineRegistration<PipelineOptions>(
      "mx-to-hw-ir",
      "Lower MX-typed functions to cf-level integer IR for CIRCT "
      "(mx-lower-to-hw-loops, convert-scf-to-cf, canonicalize, cse, "
      "mx-hw-legalize)",
      [](OpPassManager &pm, const PipelineOptions &o) {
        buildMXToHWIRPipeline(pm, o.accGuardBits);
      });
}
