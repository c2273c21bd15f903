//===- MXToMXHW.cpp - mx compute ops -> mxhw dataflow units ---------------===//
//
// The pass: checks, the type converter (MX tensors that flow between units
// become streams of their blocks; constants, and function arguments used only
// as weights, keep their `!mx.tensor` type: the units read them from memories)
// and the signature. One conversion pattern per op lives in the family files
// (LinearLowering.cpp, ElementwiseLowering.cpp, ...); Units.h lists the ops.
// After the conversion, the canonicalization of the mxhw ops composes views.
// A kernel loop (`scf.for {mx.kernel_loop}`) stays a loop whose carried values
// are streams: its body's units run every layer, and the slices it takes of
// stacked weights (`mx.take`) stay memory reads.
//
//===----------------------------------------------------------------------===//

#include "Units.h"

#include "mase-mlir/Conversion/Passes.h"
#include "mase-mlir/Dialect/MX/MXOps.h"
#include "mase-mlir/Dialect/MXHW/MXHWOps.h"

#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Patterns.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/DialectConversion.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/StringExtras.h"

namespace mase::mx {
#define GEN_PASS_DEF_CONVERTMXTOMXHW
#include "Conversion/Passes.h.inc"
} // namespace mase::mx

using namespace mlir;
using namespace mase;
using mx::MXTensorType;
using mxhw::StreamType;

const mxhw::UnitInfo *mxhw::lookupUnit(StringRef opName) {
  for (const UnitInfo &info : kUnits)
    if (info.opName == opName)
      return &info;
  return nullptr;
}

/// A function argument used only where a unit reads a memory.
static bool isMemoryOnlyArgument(BlockArgument arg);

bool mxhw::readsMemory(const UnitInfo &info, unsigned index, Value value) {
  if (info.memoryOnly & (1u << index))
    return true;
  if (!(info.memoryAllowed & (1u << index)))
    return false;
  if (auto arg = dyn_cast<BlockArgument>(value))
    return isMemoryOnlyArgument(arg);
  return isMemoryValue(value);
}

/// The kernel loop whose induction variable `value` is, or null.
static scf::ForOp kernelLoopOf(Value value) {
  auto arg = dyn_cast<BlockArgument>(value);
  if (!arg)
    return nullptr;
  auto loop = dyn_cast<scf::ForOp>(arg.getOwner()->getParentOp());
  if (!loop || loop.getInductionVar() != arg || !loop->hasAttr("mx.kernel_loop"))
    return nullptr;
  return loop;
}

bool mxhw::isBoolTensor(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && tensor.hasStaticShape() && tensor.getElementType().isInteger(1);
}

bool mxhw::isBoolConstant(Value value) {
  return isBoolTensor(value.getType()) && value.getDefiningOp<arith::ConstantOp>();
}

bool mxhw::isMemoryValue(Value value) {
  if (value.getDefiningOp<mx::ConstantOp>())
    return true;
  auto take = value.getDefiningOp<mx::TakeOp>();
  return take && take.getInput().getDefiningOp<mx::ConstantOp>() &&
         kernelLoopOf(take.getIndex());
}

FloatAttr mxhw::scalarConstant(Value value) {
  DenseElementsAttr attr;
  if (!matchPattern(value, m_Constant(&attr)) || !attr.isSplat() ||
      !attr.getElementType().isF32())
    return {};
  return FloatAttr::get(attr.getElementType(), attr.getSplatValue<APFloat>());
}

Value mxhw::unitOperand(const UnitInfo &info, unsigned index, Value original,
                        Value converted) {
  return readsMemory(info, index, original) ? original : converted;
}

static bool isMemoryOnlyArgument(BlockArgument arg) {
  return !arg.use_empty() && llvm::all_of(arg.getUses(), [](OpOperand &use) {
    const mxhw::UnitInfo *info = mxhw::lookupUnit(use.getOwner()->getName().getStringRef());
    return info && (info->memoryOnly & (1u << use.getOperandNumber()));
  });
}

namespace {

std::string supportedOps() {
  SmallVector<StringRef> names;
  for (const mxhw::UnitInfo &info : mxhw::kUnits)
    names.push_back(info.opName);
  return llvm::join(names, ", ");
}

/// MX tensors flowing between units become streams; everything else stays.
struct StreamTypeConverter : public TypeConverter {
  StreamTypeConverter() {
    addConversion([](Type type) { return type; });
    addConversion([](MXTensorType type) -> Type { return StreamType::get(type); });
    auto cast = [](OpBuilder &builder, Type type, ValueRange inputs,
                   Location loc) -> Value {
      return UnrealizedConversionCastOp::create(builder, loc, type, inputs)
          .getResult(0);
    };
    addSourceMaterialization(cast);
    addTargetMaterialization(cast);
  }
};

/// Checks everything the patterns rely on, with diagnostics at the op: the op
/// has a unit, its result and streamed operands are MX tensors, its memory
/// operands are constants or arguments that nothing streams.
LogicalResult checkLowerable(Operation *op) {
  auto named = [&](InFlightDiagnostic diag) -> InFlightDiagnostic {
    if (auto name = op->getAttrOfType<StringAttr>("name"))
      diag << " (op '" << name.getValue() << "')";
    return diag;
  };
  const mxhw::UnitInfo *info = mxhw::lookupUnit(op->getName().getStringRef());
  if (!info)
    return named(op->emitError() << "'" << op->getName() << "' has no hardware unit")
           << "; the hardware implements " << supportedOps();
  if (!isa<MXTensorType>(op->getResult(0).getType()))
    return op->emitError() << "the result must be an MX tensor for the hardware "
                           << "(it has no floats), got " << op->getResult(0).getType()
                           << "; give the op an output format";
  auto quantizable = dyn_cast<mx::QuantizableOpInterface>(op);
  // "the weight", or "operand #i" for an operand without a role.
  auto describe = [&](unsigned index) -> std::string {
    if (quantizable)
      if (std::optional<mx::OperandRole> role = quantizable.getOperandRole(index))
        return ("the " + mx::stringifyOperandRole(*role)).str();
    return "operand #" + std::to_string(index);
  };
  for (OpOperand &use : op->getOpOperands()) {
    Value value = use.get();
    unsigned index = use.getOperandNumber();
    if ((info->scalarAllowed & (1u << index)) && mxhw::scalarConstant(value))
      continue;
    bool boolMemory = info->boolMemory & (1u << index);
    if (boolMemory && !mxhw::isBoolTensor(value.getType()))
      return op->emitError() << "the hardware reads the mask from a bit memory: it "
                                "must be a static tensor of i1, got "
                             << value.getType();
    if (!boolMemory && !isa<MXTensorType>(value.getType()))
      return op->emitError() << "operand #" << index
                             << " must be an MX tensor for the hardware (it has "
                                "no floats), got "
                             << value.getType();
    if (!(info->memoryOnly & (1u << index)))
      continue;
    if (auto arg = dyn_cast<BlockArgument>(value)) {
      if (!isMemoryOnlyArgument(arg))
        return op->emitError() << describe(index) << " is also streamed to "
                               << "another unit; the hardware reads it from a "
                                  "memory and cannot stream it too";
      continue;
    }
    if (boolMemory && !mxhw::isBoolConstant(value))
      return op->emitError() << "the hardware reads the mask from a bit memory: it "
                                "must be a constant (arith.constant) or a function "
                                "argument, not a computed value";
    if (!boolMemory && !mxhw::isMemoryValue(value))
      return op->emitError() << "the hardware reads " << describe(index)
                             << " from a memory: it must be an mx.constant (or a "
                                "kernel loop's layer slice of one) or a function "
                                "argument, not a computed value";
  }
  return info->check ? info->check(op) : success();
}

/// Ops that stay as they are inside a hardware function (constants are data:
/// an op that computes with one is what the diagnostics name).
bool isStructural(Operation *op) {
  return isa<mx::ConstantOp, arith::ConstantOp, func::ReturnOp, scf::YieldOp>(op) ||
         mxhw::isViewInterior(op);
}

/// A kernel loop the hardware runs: constant bounds 0..N step 1, MX tensors
/// carried. Its body's units run once per layer.
LogicalResult checkKernelLoop(scf::ForOp loop) {
  if (!loop->hasAttr("mx.kernel_loop"))
    return loop.emitError() << "the hardware runs kernel loops (mx.kernel_loop, "
                               "from mx-kernel-loop) only, not other loops";
  APInt lower, upper, step;
  if (!matchPattern(loop.getLowerBound(), m_ConstantInt(&lower)) ||
      !matchPattern(loop.getUpperBound(), m_ConstantInt(&upper)) ||
      !matchPattern(loop.getStep(), m_ConstantInt(&step)) || !lower.isZero() ||
      !step.isOne() || !upper.isStrictlyPositive())
    return loop.emitError() << "a kernel loop in hardware needs constant bounds "
                               "0 to N (N > 0) with step 1";
  for (Value init : loop.getInitArgs())
    if (!isa<MXTensorType>(init.getType()))
      return loop.emitError() << "a kernel loop in hardware carries MX tensors "
                                 "only, got "
                              << init.getType();
  return success();
}

/// A slice of stacked weights: read from a memory, never streamed.
LogicalResult checkTake(mx::TakeOp take) {
  if (!mxhw::isMemoryValue(take.getResult()))
    return take.emitError() << "the hardware takes slices only of stacked "
                               "constants (mx.constant) at a kernel loop's "
                               "induction variable: each layer's weights";
  for (OpOperand &use : take->getUses()) {
    const mxhw::UnitInfo *info =
        mxhw::lookupUnit(use.getOwner()->getName().getStringRef());
    unsigned index = use.getOperandNumber();
    if (!info || !((info->memoryOnly | info->memoryAllowed) & (1u << index)))
      return take.emitError() << "a layer's slice of stacked weights is read "
                                 "from a memory; operand #"
                              << index << " of '" << use.getOwner()->getName()
                              << "' must be a stream";
  }
  return success();
}

struct ReturnLowering : public OpConversionPattern<func::ReturnOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(func::ReturnOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<func::ReturnOp>(op, adaptor.getOperands());
    return success();
  }
};

struct ConvertMXToMXHWPass
    : public mx::impl::ConvertMXToMXHWBase<ConvertMXToMXHWPass> {
  void runOnOperation() override {
    StreamTypeConverter converter;
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      mxhw::foldConstantViews(func);
      if (failed(checkFunction(func)) || failed(convertSignature(func, converter)))
        return signalPassFailure();
    }
    ConversionTarget target(getContext());
    target.addLegalDialect<mxhw::MXHWDialect>();
    target.addLegalOp<mx::ConstantOp, UnrealizedConversionCastOp>();
    target.addDynamicallyLegalOp<func::ReturnOp>([](func::ReturnOp op) {
      return llvm::all_of(op.getOperandTypes(), llvm::IsaPred<StreamType>);
    });
    target.addIllegalDialect<mx::MXDialect>();
    target.addLegalOp<mx::ConstantOp>();  // constants live in memories
    mxhw::addViewLegality(target);
    target.addLegalOp<mx::TakeOp>();  // layer slices of stacked weights (checked)
    RewritePatternSet patterns(&getContext());
    patterns.add<ReturnLowering>(converter, &getContext());
    scf::populateSCFStructuralTypeConversionsAndLegality(converter, patterns, target);
    mxhw::populateLinearLowering(converter, patterns);
    mxhw::populateElementwiseLowering(converter, patterns);
    mxhw::populateMatmulLowering(converter, patterns);
    mxhw::populateViewLowering(converter, patterns);
    mxhw::populateRowLowering(converter, patterns);
    if (failed(applyPartialConversion(getOperation(), target, std::move(patterns))))
      return signalPassFailure();
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      mxhw::eraseDeadViewInteriors(func);
      if (failed(finish(func)))
        return signalPassFailure();
    }
    if (failed(canonicalizeUnits()))
      return signalPassFailure();
  }

  /// The mxhw ops' canonicalizations (views compose, matmuls read shared
  /// rhs batches once), on the mxhw ops only.
  LogicalResult canonicalizeUnits() {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    mxhw::ViewOp::getCanonicalizationPatterns(patterns, ctx);
    mxhw::ReblockOp::getCanonicalizationPatterns(patterns, ctx);
    mxhw::BatchMatmulOp::getCanonicalizationPatterns(patterns, ctx);
    FrozenRewritePatternSet frozen(std::move(patterns));
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (isa<mxhw::ViewOp, mxhw::ReblockOp, mxhw::BatchMatmulOp>(op))
        ops.push_back(op);
    });
    GreedyRewriteConfig config;
    config.setStrictness(GreedyRewriteStrictness::ExistingAndNewOps);
    config.enableFolding();
    // Not converging within the driver's limit only leaves views uncomposed.
    (void)applyOpPatternsGreedily(ops, frozen, config);
    return success();
  }

  /// Diagnoses anything the hardware cannot do, before any rewriting.
  LogicalResult checkFunction(func::FuncOp func) {
    // (A mask argument read only from bit memories is data the host loads.)
    for (BlockArgument arg : func.getArguments())
      if (!isa<MXTensorType>(arg.getType()) && !arg.use_empty() &&
          !(mxhw::isBoolTensor(arg.getType()) && isMemoryOnlyArgument(arg)))
        return func.emitError() << "argument #" << arg.getArgNumber()
                                << " must be an MX tensor for the hardware (it "
                                   "has no floats), got "
                                << arg.getType();
    WalkResult result = func.walk([&](Operation *op) {
      if (op == func || isStructural(op))
        return WalkResult::advance();
      LogicalResult ok = success();
      if (auto loop = dyn_cast<scf::ForOp>(op))
        ok = checkKernelLoop(loop);
      else if (auto take = dyn_cast<mx::TakeOp>(op))
        ok = checkTake(take);
      else if (mxhw::isViewRoot(op))
        ok = mxhw::checkView(op);
      else
        ok = checkLowerable(op);
      return failed(ok) ? WalkResult::interrupt() : WalkResult::advance();
    });
    if (result.wasInterrupted())
      return failure();
    auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
    for (Value value : ret.getOperands())
      if (!isa<MXTensorType>(value.getType()) || isa<BlockArgument>(value) ||
          value.getDefiningOp<mx::ConstantOp>())
        return ret->emitError() << "every result must be an MX tensor computed "
                                << "by the hardware, got " << value.getType();
    return success();
  }

  /// Arguments used only as memory operands keep their type; other MX
  /// arguments become streams (their uses see an unrealized cast back).
  LogicalResult convertSignature(func::FuncOp func,
                                 const TypeConverter &converter) {
    Block &entry = func.getBody().front();
    OpBuilder builder = OpBuilder::atBlockBegin(&entry);
    for (BlockArgument arg : entry.getArguments()) {
      auto type = dyn_cast<MXTensorType>(arg.getType());
      if (!type || isMemoryOnlyArgument(arg))
        continue;
      auto cast = UnrealizedConversionCastOp::create(builder, arg.getLoc(), type,
                                                    ValueRange{arg});
      arg.replaceAllUsesExcept(cast.getResult(0), cast);
      arg.setType(converter.convertType(type));
    }
    return success();
  }

  /// The function type follows the converted boundary; casts between a
  /// stream and its tensor that remain mean a value both worlds use.
  LogicalResult finish(func::FuncOp func) {
    Block &entry = func.getBody().front();
    SmallVector<UnrealizedConversionCastOp> casts, remaining;
    func.walk([&](UnrealizedConversionCastOp cast) { casts.push_back(cast); });
    reconcileUnrealizedCasts(casts, &remaining);
    if (!remaining.empty())
      return remaining.front()->emitError()
             << "a stream is also used as a memory operand (a weight or bias); "
                "the hardware cannot do both";
    // Scalars the units took as attributes.
    for (auto constant : llvm::make_early_inc_range(func.getOps<arith::ConstantOp>()))
      if (constant->use_empty())
        constant->erase();
    func.setType(FunctionType::get(&getContext(), entry.getArgumentTypes(),
                                   entry.getTerminator()->getOperandTypes()));
    return success();
  }
};

} // namespace
