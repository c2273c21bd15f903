//===- HWOutline.cpp - split a model into host and hardware parts ---------===//
//
// The hardware runs the middle of a model: what computes on MX tensors. The
// host keeps what only it can do at the edges: before the hardware, embedding
// gathers, integer and boolean ops (token ids, attention masks) and the
// quantization of float inputs; after it, the dequantization of results and
// float ops on them. With `layer=PREFIX` the hardware part is instead the ops
// named PREFIX... (one layer of a model) and everything else stays on the host.
//
// With `loop-body`, the hardware part is the body of the model's kernel loop,
// called once per layer (the non-looped baseline): the host takes each layer's
// weights out of the stacked constants and passes them to the call.
//
// The hardware part moves into its own function (`<func>_hw`, arguments and
// results: the values that cross) called from where it was.
//
//===----------------------------------------------------------------------===//

#include "mase-mlir/Conversion/Passes.h"
#include "mase-mlir/Dialect/MX/MXOps.h"
#include "mase-mlir/Dialect/MX/MXTypes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/SetVector.h"

namespace mase::mx {
#define GEN_PASS_DEF_MXHWOUTLINE
#include "Conversion/Passes.h.inc"
} // namespace mase::mx

using namespace mlir;
using namespace mase::mx;

namespace {

bool isConstant(Operation *op) {
  return isa<arith::ConstantOp, mase::mx::ConstantOp>(op);
}

bool isKernelLoop(Operation *op) {
  return op && isa<scf::ForOp>(op) && op->hasAttr("mx.kernel_loop");
}

/// The values an op reads: its operands and what its regions use from above.
SetVector<Value> valuesRead(Operation *op) {
  SetVector<Value> values(op->getOperands().begin(), op->getOperands().end());
  getUsedValuesDefinedAbove(op->getRegions(), values);
  return values;
}

/// A value only the host computes: not a float or MX tensor (ids, masks).
bool isHostType(Type type) {
  if (isa<MXTensorType>(type))
    return false;
  auto tensor = dyn_cast<RankedTensorType>(type);
  return !tensor || !isa<FloatType>(tensor.getElementType());
}

/// Ops the host runs before the hardware when their operands are host values
/// (data movement of float inputs included: the host quantizes the moved data,
/// e.g. the head split of an attention's inputs, exactly as the model says).
bool isHostPrologueOp(Operation *op) {
  if (isa<EmbeddingOp, QuantizeOp, ReshapeOp, TransposeOp, SliceOp, ConcatOp,
          BroadcastOp>(op))
    return true;
  return llvm::all_of(op->getResultTypes(), isHostType);
}

/// Ops the host runs after the hardware: float results that only the host uses.
bool isHostEpilogueOp(Operation *op) {
  return isa<DequantizeOp>(op) ||
         llvm::all_of(op->getResultTypes(), [](Type type) {
           auto tensor = dyn_cast<RankedTensorType>(type);
           return tensor && isa<FloatType>(tensor.getElementType());
         });
}

struct MXHWOutlinePass
    : public mase::mx::impl::MXHWOutlineBase<MXHWOutlinePass> {
  using MXHWOutlineBase::MXHWOutlineBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> funcs(module.getOps<func::FuncOp>());
    func::FuncOp target;
    for (func::FuncOp func : funcs) {
      if (func.isExternal())
        continue;
      if (target) {
        module.emitError() << "mx-hw-outline: the module has several functions ('"
                           << target.getSymName() << "', '" << func.getSymName()
                           << "'); outline one model at a time";
        return signalPassFailure();
      }
      target = func;
    }
    if (!target) {
      module.emitError() << "mx-hw-outline: the module has no function to build";
      return signalPassFailure();
    }
    if (loopBody && !layer.empty()) {
      target.emitError() << "mx-hw-outline: 'layer' and 'loop-body' select different "
                            "parts; give one";
      return signalPassFailure();
    }
    SetVector<Operation *> hardware;
    if (failed(loopBody        ? selectLoopBody(target, hardware)
               : layer.empty() ? selectModel(target, hardware)
                               : selectLayer(target, hardware)))
      return signalPassFailure();
    if (failed(outline(module, target, hardware)))
      return signalPassFailure();
  }

  /// The whole model but the host's prologue and epilogue.
  LogicalResult selectModel(func::FuncOp func, SetVector<Operation *> &hardware) {
    Block &entry = func.getBody().front();
    llvm::DenseSet<Operation *> host;
    auto fromHost = [&](Value value) {
      Operation *def = value.getDefiningOp();
      return !def || isConstant(def) || host.contains(def);
    };
    for (Operation &op : entry.without_terminator())
      if (!isConstant(&op) && isHostPrologueOp(&op) &&
          llvm::all_of(op.getOperands(), fromHost))
        host.insert(&op);
    // Epilogue, backwards: every user is the return or another epilogue op.
    for (Operation &op : llvm::reverse(entry.without_terminator())) {
      if (isConstant(&op) || host.contains(&op) || !isHostEpilogueOp(&op))
        continue;
      bool onlyHost = llvm::all_of(op.getUsers(), [&](Operation *user) {
        return isa<func::ReturnOp>(user) || host.contains(user);
      });
      if (onlyHost)
        host.insert(&op);
    }
    for (Operation &op : entry.without_terminator()) {
      if (isConstant(&op) || host.contains(&op))
        continue;
      if (isa<EmbeddingOp>(op) || !llvm::all_of(op.getResultTypes(), [](Type t) {
            return !isHostType(t);
          }))
        return named(op.emitError(), &op)
               << " runs on the host, but it needs values the hardware computes; "
                  "the host runs embeddings and integer/boolean ops only before the "
                  "hardware";
      hardware.insert(&op);
    }
    if (hardware.empty())
      return func.emitError() << "mx-hw-outline: nothing of '" << func.getSymName()
                              << "' runs on the hardware: the hardware computes on MX "
                                 "tensors, and ops with float results stay on the host "
                                 "(give the ops MX formats in the precision config, "
                                 "their 'output' included)";
    return success();
  }

  /// The ops named `layer...`, and the unnamed glue (quantize, dequantize,
  /// cast) whose operands all come from them.
  LogicalResult selectLayer(func::FuncOp func, SetVector<Operation *> &hardware) {
    Block &entry = func.getBody().front();
    for (Operation &op : entry.without_terminator()) {
      if (isConstant(&op))
        continue;
      auto name = op.getAttrOfType<StringAttr>("name");
      bool inLayer = name && (name.getValue() == layer ||
                              name.getValue().starts_with(layer + "."));
      bool glue = !name && op.getNumOperands() > 0 &&
                  llvm::all_of(op.getOperands(), [&](Value v) {
                    Operation *def = v.getDefiningOp();
                    return def && (isConstant(def) || hardware.contains(def));
                  });
      if (inLayer || glue)
        hardware.insert(&op);
    }
    bool named = !hardware.empty();
    // The layer's leading data movement of host values (e.g. the transpose of
    // its float input into an attention) and its quantization run on the host,
    // as for a whole model: the hardware takes MX tensors.
    for (Operation *op : SmallVector<Operation *>(hardware.getArrayRef()))
      if (isHostPrologueOp(op) && llvm::all_of(op->getOperands(), [&](Value v) {
            Operation *def = v.getDefiningOp();
            return !def || isConstant(def) || !hardware.contains(def);
          }))
        hardware.remove(op);
    if (named && hardware.empty())
      return func.emitError() << "mx-hw-outline: layer '" << layer
                              << "' only moves or quantizes host values; "
                                 "nothing of it runs on the hardware";
    if (hardware.empty()) {
      for (Operation &op : entry)
        if (isKernelLoop(&op) && loopHasLayer(op))
          return op.emitError()
                 << "mx-hw-outline: layer '" << layer << "' is folded into this "
                 << "kernel loop; build the loop (without a layer) or its body, "
                    "called once per layer (loop-body)";
      return func.emitError() << "mx-hw-outline: no op of '" << func.getSymName()
                              << "' is named '" << layer << "' or '" << layer
                              << ".*'";
    }
    return success();
  }

  /// Whether a kernel loop's body holds an op of `layer` (by its layer names).
  bool loopHasLayer(Operation &loop) {
    WalkResult found = loop.walk([&](Operation *op) {
      auto names = op->getAttrOfType<ArrayAttr>("mx.layer_names");
      if (!names)
        return WalkResult::advance();
      for (auto name : names.getAsRange<StringAttr>())
        if (name.getValue() == layer || name.getValue().starts_with(layer + "."))
          return WalkResult::interrupt();
      return WalkResult::advance();
    });
    return found.wasInterrupted();
  }

  /// The body of the function's kernel loop but the weight slices it takes.
  LogicalResult selectLoopBody(func::FuncOp func, SetVector<Operation *> &hardware) {
    SmallVector<Operation *> loops;
    func.walk([&](Operation *op) {
      if (isKernelLoop(op))
        loops.push_back(op);
    });
    if (loops.size() != 1)
      return func.emitError() << "mx-hw-outline: loop-body needs one kernel loop in '"
                              << func.getSymName() << "', found " << loops.size()
                              << " (mx-kernel-loop folds repeated layers into one)";
    Block *body = cast<scf::ForOp>(loops.front()).getBody();
    for (Operation &op : body->without_terminator())
      if (!isConstant(&op) && !isa<TakeOp>(op))
        hardware.insert(&op);
    if (hardware.empty())
      return loops.front()->emitError() << "mx-hw-outline: the kernel loop's body "
                                           "computes nothing";
    return success();
  }

  static InFlightDiagnostic named(InFlightDiagnostic diag, Operation *op) {
    diag << "'" << op->getName() << "'";
    if (auto name = op->getAttrOfType<StringAttr>("name"))
      diag << " ('" << name.getValue() << "')";
    return diag;
  }

  /// Moves the host ops between the part's first and last op that depend on the
  /// part to after its last op (keeping their order); an error when the part
  /// itself reads one of them (then the part is not a contiguous run).
  static LogicalResult sinkHostUsers(const SetVector<Operation *> &hardware) {
    Operation *first = hardware.front(), *last = hardware.back();
    Block *block = last->getBlock();
    if (first->getBlock() != block)
      return success();
    SmallVector<Operation *> sink;
    llvm::DenseSet<Operation *> sinking;
    for (Operation *op = first; op != last; op = op->getNextNode()) {
      if (hardware.contains(op))
        continue;
      bool dependent = llvm::any_of(valuesRead(op), [&](Value v) {
        Operation *def = v.getDefiningOp();
        def = def ? block->findAncestorOpInBlock(*def) : nullptr;
        return def && (hardware.contains(def) || sinking.contains(def));
      });
      if (!dependent)
        continue;
      for (Operation *user : op->getUsers()) {
        Operation *inBlock = block->findAncestorOpInBlock(*user);
        if (inBlock && hardware.contains(inBlock))
          return named(op->emitError(), op)
                 << " uses a value of the hardware part and the part uses its result; "
                    "the part must be a contiguous run of ops";
      }
      sinking.insert(op);
      sink.push_back(op);
    }
    Operation *after = last;
    for (Operation *op : sink) {
      op->moveAfter(after);
      after = op;
    }
    return success();
  }

  LogicalResult outline(ModuleOp module, func::FuncOp func,
                        const SetVector<Operation *> &hardware) {
    // Values that cross: defined outside (not constants) and used inside, or
    // defined inside and used outside.
    SetVector<Value> inputs, outputs;
    for (Operation *op : hardware) {
      for (Value operand : valuesRead(op)) {
        Operation *def = operand.getDefiningOp();
        if ((!def || !isConstant(def)) && !hardware.contains(def))
          inputs.insert(operand);
      }
      for (Value result : op->getResults())
        if (llvm::any_of(result.getUsers(),
                         [&](Operation *user) { return !hardware.contains(user); }))
          outputs.insert(result);
    }
    if (outputs.empty())
      return func.emitError() << "mx-hw-outline: the hardware part of '"
                              << func.getSymName() << "' computes nothing the model uses";
    OpBuilder builder(module.getContext());
    builder.setInsertionPointAfter(func);
    std::string name = (func.getSymName() + "_hw").str();
    SymbolTable symbols(module);
    if (symbols.lookup(name))
      return func.emitError() << "mx-hw-outline: a function named '" << name
                              << "' exists already";
    auto type = builder.getFunctionType(
        llvm::map_to_vector(inputs, [](Value v) { return v.getType(); }),
        llvm::map_to_vector(outputs, [](Value v) { return v.getType(); }));
    auto hw = func::FuncOp::create(builder, func.getLoc(), name, type);
    Block *body = hw.addEntryBlock();
    IRMapping map;
    for (auto [value, arg] : llvm::zip(inputs, body->getArguments()))
      map.map(value, arg);
    builder.setInsertionPointToEnd(body);
    // Constants the part uses are copied in: weights become its memories.
    llvm::DenseSet<Operation *> copied;
    for (Operation *op : hardware)
      for (Value operand : valuesRead(op))
        if (Operation *def = operand.getDefiningOp();
            def && isConstant(def) && copied.insert(def).second)
          builder.clone(*def, map);
    for (Operation *op : hardware)
      builder.clone(*op, map);
    // A kernel loop's body outlined alone is one layer: its ops' layer names
    // (verified to sit in a kernel loop) stay with the host's loop.
    hw.walk([](Operation *op) {
      if (!isKernelLoop(op->getParentOp()))
        op->removeAttr("mx.layer_names");
    });
    func::ReturnOp::create(builder, func.getLoc(),
                           llvm::map_to_vector(outputs, [&](Value v) {
                             return map.lookup(v);
                           }));
    // The call replaces the part in the model, after its last op: every host use
    // of what it computes must come after that. Host ops among the part's ops that
    // depend on it (the dequantize of a model output taken from the middle of the
    // part) move after it, in order, unless the part reads them back.
    Operation *last = hardware.back();
    if (failed(sinkHostUsers(hardware))) {
      hw.erase();
      return failure();
    }
    for (Value value : outputs)
      for (Operation *user : value.getUsers())
        if (!hardware.contains(user) && user->getBlock() == last->getBlock() &&
            user->isBeforeInBlock(last)) {
          InFlightDiagnostic diag = named(user->emitError(), user);
          diag << " uses a value of the hardware part before the part ends; the part "
                  "must be a contiguous run of ops";
          hw.erase();
          return diag;
        }
    builder.setInsertionPointAfter(last);
    auto call = func::CallOp::create(builder, last->getLoc(), hw, inputs.getArrayRef());
    for (auto [output, result] : llvm::zip(outputs, call.getResults())) {
      Value value = output;
      value.replaceUsesWithIf(result, [&](OpOperand &use) {
        return !hardware.contains(use.getOwner());
      });
    }
    for (Operation *op : llvm::reverse(hardware))
      op->erase();
    return success();
  }
};

} // namespace
