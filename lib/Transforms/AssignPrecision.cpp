//===- AssignPrecision.cpp - apply an MX format configuration -------------===//
//
// Gives each role (input, weight, bias, output) of every compute op the MX
// format a JSON configuration selects for it, inserting quantize, cast and
// dequantize ops where formats change; quantized constants fold into
// mx.constant. The `accumulator` key sets how contractions sum (`acc`).
//
//===----------------------------------------------------------------------===//

#include "mase-mlir/Dialect/MX/MXOps.h"
#include "mase-mlir/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/GlobPattern.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"

namespace mase::mx {
#define GEN_PASS_DEF_MXASSIGNPRECISION
#include "Transforms/Passes.h.inc"
} // namespace mase::mx

using namespace mlir;
using namespace mase::mx;

namespace {

/// role -> format (a null FormatAttr means f32, i.e. unquantized).
using RoleFormats = llvm::SmallMapVector<OperandRole, FormatAttr, 4>;

/// The config key that selects a contraction's accumulation (not a format).
constexpr llvm::StringLiteral kAccumulatorKey = "accumulator";

/// Formats per operand role, and the accumulation of contractions (null: the
/// key was not given).
struct Roles {
  RoleFormats formats;
  AccumulationAttr accumulator;
};

/// Ops whose `acc` attribute the `accumulator` key sets.
bool hasAccumulator(Operation *op) {
  return isa<LinearOp, MatmulOp, BatchMatmulOp>(op);
}

struct ConfigEntry {
  std::string glob;
  llvm::GlobPattern pattern;
  Roles roles;
  // What the entry matched, for the "matches nothing" and "role no op has"
  // diagnostics.
  unsigned matchedOps = 0;
  llvm::StringSet<> rolesSeen;
  std::string exampleOp;
};

struct Config {
  Roles defaults;
  std::vector<ConfigEntry> entries;
};
// Config is returned by value: moving the vector keeps its elements (and the
// strings the patterns point into) where they are.

/// The keys of a JSON object in file order, with the keys of the objects
/// they hold: llvm::json objects are unordered and keep only the last of
/// repeated keys, but later `ops` entries override earlier ones and a key
/// given twice is a mistake to report.
struct JSONKeys {
  struct Key {
    std::string name;
    size_t offset;
    std::unique_ptr<JSONKeys> object; // when the value is an object
  };
  std::vector<Key> keys;

  const JSONKeys *object(StringRef name) const {
    for (const Key &key : keys)
      if (key.name == name)
        return key.object.get();
    return nullptr;
  }

  /// The first key that appears twice in one object, at any depth.
  const Key *findRepeated() const {
    llvm::StringSet<> seen;
    for (const Key &key : keys) {
      if (!seen.insert(key.name).second)
        return &key;
      if (key.object)
        if (const Key *repeated = key.object->findRepeated())
          return repeated;
    }
    return nullptr;
  }
};

/// Collects the keys of a JSON text that llvm::json::parse accepted.
class JSONKeyScanner {
public:
  explicit JSONKeyScanner(StringRef text) : text(text) {}

  /// Scans one value; returns its keys when it is an object.
  std::unique_ptr<JSONKeys> value() {
    skipSpace();
    switch (peek()) {
    case '{':
      return object();
    case '[':
      ++pos;
      skipSpace();
      while (pos < text.size() && peek() != ']') {
        value();
        skipSpace();
        if (peek() == ',')
          ++pos;
        skipSpace();
      }
      ++pos;
      return nullptr;
    case '"':
      skipString();
      return nullptr;
    default: // a number, true, false or null
      while (pos < text.size() && !StringRef(",]} \t\r\n").contains(text[pos]))
        ++pos;
      return nullptr;
    }
  }

private:
  std::unique_ptr<JSONKeys> object() {
    auto keys = std::make_unique<JSONKeys>();
    ++pos;
    skipSpace();
    while (pos < text.size() && peek() != '}') {
      size_t start = pos;
      skipString();
      // The key as the parser decodes it (escapes included).
      llvm::Expected<llvm::json::Value> key =
          llvm::json::parse(text.slice(start, pos));
      std::string name;
      if (key && key->getAsString())
        name = key->getAsString()->str();
      else
        llvm::consumeError(key.takeError());
      skipSpace();
      ++pos; // ':'
      std::unique_ptr<JSONKeys> object = value();
      keys->keys.push_back({std::move(name), start, std::move(object)});
      skipSpace();
      if (peek() == ',')
        ++pos;
      skipSpace();
    }
    ++pos;
    return keys;
  }

  void skipString() {
    ++pos;
    while (pos < text.size() && text[pos] != '"')
      pos += text[pos] == '\\' ? 2 : 1;
    ++pos;
  }
  void skipSpace() {
    while (pos < text.size() && StringRef(" \t\r\n").contains(text[pos]))
      ++pos;
  }
  char peek() const { return pos < text.size() ? text[pos] : '\0'; }

  StringRef text;
  size_t pos = 0;
};

class ConfigParser {
public:
  ConfigParser(MLIRContext *ctx, StringRef path, Location loc)
      : ctx(ctx), path(path), loc(loc) {}

  FailureOr<Config> parse() {
    auto buffer = llvm::MemoryBuffer::getFile(path);
    if (!buffer)
      return error() << "cannot read precision config '" << path
                     << "': " << buffer.getError().message();
    StringRef text = (*buffer)->getBuffer();
    llvm::Expected<llvm::json::Value> json = llvm::json::parse(text);
    if (!json)
      return error() << "precision config '" << path
                     << "' is not valid JSON: " << llvm::toString(json.takeError());
    const llvm::json::Object *root = json->getAsObject();
    if (!root)
      return error() << "precision config '" << path
                     << "' must be a JSON object with 'default' and 'ops'";
    std::unique_ptr<JSONKeys> keys = JSONKeyScanner(text).value();
    if (const JSONKeys::Key *repeated = keys->findRepeated()) {
      StringRef before = text.take_front(repeated->offset);
      return error() << "precision config '" << path << "': key '"
                     << repeated->name << "' appears twice in one object (line "
                     << before.count('\n') + 1 << ")";
    }
    for (const auto &kv : *root)
      if (kv.first != "default" && kv.first != "ops")
        return error() << "precision config '" << path << "': unknown key '"
                       << kv.first.str() << "' (expected 'default' and 'ops')";

    Config config;
    if (const llvm::json::Value *defaults = root->get("default"))
      if (failed(parseRoles(*defaults, "default", config.defaults)))
        return failure();
    if (const llvm::json::Value *ops = root->get("ops")) {
      const llvm::json::Object *opsObject = ops->getAsObject();
      if (!opsObject)
        return error() << "precision config '" << path
                       << "': 'ops' must map op-name globs to roles";
      // In file order: later entries override earlier ones.
      for (const JSONKeys::Key &key : keys->object("ops")->keys) {
        StringRef glob = key.name;
        ConfigEntry entry;
        entry.glob = glob.str();
        if (auto pattern = llvm::GlobPattern::create(glob); !pattern)
          return error() << "precision config '" << path << "': bad glob '"
                         << glob << "': " << llvm::toString(pattern.takeError());
        if (failed(parseRoles(*opsObject->get(glob),
                              ("ops['" + glob + "']").str(), entry.roles)))
          return failure();
        config.entries.push_back(std::move(entry));
      }
    }
    // GlobPattern refers to its pattern text: build them once the entries
    // (which own the text) no longer move.
    for (ConfigEntry &entry : config.entries)
      entry.pattern = cantFail(llvm::GlobPattern::create(entry.glob));
    return config;
  }

private:
  InFlightDiagnostic error() { return emitError(loc); }

  LogicalResult parseRoles(const llvm::json::Value &value, StringRef where,
                           Roles &parsed) {
    const llvm::json::Object *object = value.getAsObject();
    if (!object)
      return error() << "precision config '" << path << "': " << where
                     << " must map roles to formats";
    RoleFormats &roles = parsed.formats;
    for (const auto &kv : *object) {
      StringRef role = kv.first;
      if (role == kAccumulatorKey) {
        std::optional<StringRef> spelling = kv.second.getAsString();
        if (!spelling)
          return error() << "precision config '" << path << "': " << where
                         << ".accumulator must be 'exact' or 'bounded<G>'";
        parsed.accumulator = AccumulationAttr::parse(ctx, *spelling, [&] {
          return error() << "precision config '" << path << "': " << where
                         << ".accumulator: ";
        });
        if (!parsed.accumulator)
          return failure();
        continue;
      }
      std::optional<OperandRole> known = symbolizeOperandRole(role);
      if (!known) {
        InFlightDiagnostic diag =
            error() << "precision config '" << path << "': " << where
                    << ": unknown role '" << role << "' (expected ";
        for (uint32_t i = 0; i <= getMaxEnumValForOperandRole(); ++i)
          diag << stringifyOperandRole(OperandRole(i))
               << (i < getMaxEnumValForOperandRole() ? ", " : " ");
        return diag << "or " << kAccumulatorKey << ")";
      }
      std::optional<StringRef> spelling = kv.second.getAsString();
      if (!spelling)
        return error() << "precision config '" << path << "': " << where
                       << "." << role << " must be a format string";
      FormatAttr format;
      if (*spelling != "f32") {
        format = FormatAttr::parse(ctx, *spelling, [&] {
          return error() << "precision config '" << path << "': " << where
                         << "." << role << ": ";
        });
        if (!format)
          return failure();
      }
      roles[*known] = format;
    }
    return success();
  }

  MLIRContext *ctx;
  StringRef path;
  Location loc;
};

/// Rewrites one function: ops in program order, so producers are done before
/// their consumers look at their operands.
class PrecisionRewriter {
public:
  explicit PrecisionRewriter(Config &config) : config(config) {}

  /// Resolves every op's formats without touching the IR, so that a bad
  /// config is reported before anything is rewritten.
  void survey(func::FuncOp func) {
    func.walk([&](QuantizableOpInterface op) {
      resolved.push_back({op, resolve(op)});
    });
  }

  /// Rewrites the surveyed ops, in program order.
  LogicalResult rewriteSurveyed() {
    for (auto &[op, formats] : resolved)
      if (failed(rewrite(op, formats)))
        return failure();
    return success();
  }

  /// Conversions nobody needed and constants nobody reads any more.
  void eraseDead(func::FuncOp func) {
    SmallVector<Operation *> dead;
    func.walk([&](Operation *op) {
      if (isa<DequantizeOp, arith::ConstantOp, ConstantOp>(op) &&
          op->use_empty())
        dead.push_back(op);
    });
    for (Operation *op : llvm::reverse(dead))
      op->erase();
  }

private:
  Roles resolve(Operation *op) {
    auto hasRole = [&](OperandRole role) {
      if (role == OperandRole::Output)
        return true;
      auto q = cast<QuantizableOpInterface>(op);
      for (unsigned i = 0, e = op->getNumOperands(); i < e; ++i)
        if (q.getOperandRole(i) == role)
          return true;
      return false;
    };
    Roles resolved;
    RoleFormats &formats = resolved.formats;
    for (auto [role, format] : config.defaults.formats)
      if (hasRole(role))
        formats[role] = format;
    if (hasAccumulator(op))
      resolved.accumulator = config.defaults.accumulator;
    auto nameAttr = op->getAttrOfType<StringAttr>("name");
    if (!nameAttr)
      return resolved;
    for (ConfigEntry &entry : config.entries) {
      if (!entry.pattern.match(nameAttr.getValue()))
        continue;
      ++entry.matchedOps;
      for (auto [role, format] : entry.roles.formats) {
        if (!hasRole(role))
          continue;
        entry.rolesSeen.insert(stringifyOperandRole(role));
        formats[role] = format;
      }
      if (entry.roles.accumulator && hasAccumulator(op)) {
        entry.rolesSeen.insert(kAccumulatorKey);
        resolved.accumulator = entry.roles.accumulator;
      }
      if (entry.exampleOp.empty())
        entry.exampleOp = (nameAttr.getValue() + "' (" +
                           op->getName().getStringRef() + ")")
                              .str();
    }
    return resolved;
  }

  /// `format` with blocks of `dim` values, for a dimension shorter than one
  /// block: its single block has the scale and codes of the OCP block padded
  /// with zeros (a zero moves neither the largest magnitude nor any other
  /// element), without storing the padding.
  static FormatAttr shortBlock(FormatAttr format, int64_t dim) {
    return FormatAttr::get(format.getContext(), format.getKind(),
                           format.getElementBits(), format.getExponentBits(),
                           format.getScaleBits(), unsigned(dim),
                           format.getFixedFraction());
  }

  /// The MX type `format` gives `value` blocked along `axis` (negative: the
  /// last axis); a blocked dimension shorter than the block (but for a
  /// broadcast dimension of 1) holds one shorter block. Null (the value stays
  /// as it is) for anything but a ranked f32 or MX tensor of rank >= 1, and,
  /// with a warning, when the blocked dimension is longer than the block but
  /// not a multiple of it. Fails with a located error
  /// when the shape cannot hold MX blocks (a zero-size dimension).
  FailureOr<MXTensorType> blockedType(Operation *op, StringRef role,
                                      Value value, int64_t axis,
                                      FormatAttr format) {
    Type type = value.getType();
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (!isa<MXTensorType>(type) && !(tensor && tensor.getElementType().isF32()))
      return MXTensorType();
    std::optional<ArrayRef<int64_t>> shape = getStaticShape(type);
    if (!shape || shape->empty())
      return MXTensorType();
    int64_t rank = shape->size();
    if (axis < 0)
      axis = rank - 1;
    if (axis >= rank)
      return MXTensorType();
    int64_t dim = (*shape)[axis];
    if (dim > 1 && dim < int64_t(format.getBlockSize()))
      format = shortBlock(format, dim);
    if (dim > 0 && dim % format.getBlockSize() != 0) {
      // Broadcast operands (a dimension of 1) are expected; anything else
      // deserves a word.
      if (dim != 1)
        op->emitWarning() << role << " stays f32: its blocked dimension "
                          << dim << " (axis " << axis
                          << ") is not a multiple of the block size of "
                          << format.str();
      return MXTensorType();
    }
    MXTensorType blocked = MXTensorType::getChecked(
        [&] {
          return op->emitOpError() << role << " of shape "
                                   << formatShape(*shape) << " cannot be "
                                   << format.str() << ": ";
        },
        op->getContext(), *shape, format, unsigned(axis));
    if (!blocked)
      return failure();
    return blocked;
  }

  LogicalResult rewrite(QuantizableOpInterface q, const Roles &roles) {
    Operation *op = q.getOperation();
    OpBuilder builder(op);
    const RoleFormats &formats = roles.formats;
    if (roles.accumulator)
      op->setAttr("acc", roles.accumulator);

    for (OpOperand &operand : op->getOpOperands()) {
      std::optional<OperandRole> role =
          q.getOperandRole(operand.getOperandNumber());
      if (!role)
        continue;
      auto it = formats.find(*role);
      if (it == formats.end() || !it->second)
        continue;
      Value value = operand.get();
      // Read a producer's MX result directly instead of its f32 copy.
      if (auto dq = value.getDefiningOp<DequantizeOp>())
        value = dq.getInput();
      int64_t axis = q.getOperandBlockAxis(operand.getOperandNumber());
      FailureOr<MXTensorType> type = blockedType(
          op, stringifyOperandRole(*role), operand.get(), axis, it->second);
      if (failed(type))
        return failure();
      if (!*type)
        continue;
      if (value.getType() == *type) {
        operand.set(value);
      } else if (isa<MXTensorType>(value.getType())) {
        operand.set(builder.createOrFold<CastOp>(
            op->getLoc(), *type, value, RoundingMode::Even, nullptr));
      } else {
        operand.set(builder.createOrFold<QuantizeOp>(
            op->getLoc(), *type, value, RoundingMode::Even, nullptr));
      }
    }

    auto out = formats.find(OperandRole::Output);
    if (out == formats.end() || !out->second || op->getNumResults() != 1)
      return success();
    Value result = op->getResult(0);
    FailureOr<MXTensorType> type =
        blockedType(op, stringifyOperandRole(OperandRole::Output), result,
                    /*axis=*/-1, out->second);
    if (failed(type))
      return failure();
    Type original = result.getType();
    if (!*type || original == *type)
      return success();
    // The op now gives the configured format; its users keep reading what
    // they read before (an f32 copy, or the MX format it had).
    result.setType(*type);
    builder.setInsertionPointAfter(op);
    Value back;
    if (isa<MXTensorType>(original))
      back = CastOp::create(builder, op->getLoc(), original, result,
                            RoundingMode::Even, /*name=*/nullptr);
    else
      back = DequantizeOp::create(builder, op->getLoc(), original, result,
                                  /*name=*/nullptr);
    result.replaceAllUsesExcept(back, back.getDefiningOp());
    return success();
  }

  Config &config;
  SmallVector<std::pair<QuantizableOpInterface, Roles>> resolved;
};

struct MXAssignPrecisionPass
    : public mase::mx::impl::MXAssignPrecisionBase<MXAssignPrecisionPass> {
  using MXAssignPrecisionBase::MXAssignPrecisionBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (configPath.empty()) {
      module.emitError("mx-assign-precision needs config=<file.json>");
      return signalPassFailure();
    }
    FailureOr<Config> config =
        ConfigParser(&getContext(), configPath, module.getLoc()).parse();
    if (failed(config))
      return signalPassFailure();

    PrecisionRewriter rewriter(*config);
    for (auto func : module.getOps<func::FuncOp>())
      rewriter.survey(func);
    if (failed(checkEntries(module, *config)))
      return signalPassFailure();
    if (failed(rewriter.rewriteSurveyed()))
      return signalPassFailure();
    for (auto func : module.getOps<func::FuncOp>())
      rewriter.eraseDead(func);
  }

  /// Entries that match no op, or set a role none of their ops has.
  LogicalResult checkEntries(ModuleOp module, Config &config) {
    for (ConfigEntry &entry : config.entries) {
      if (entry.matchedOps == 0) {
        auto diag = allowUnmatched ? module.emitWarning() : module.emitError();
        diag << "precision config '" << configPath << "': ops glob '"
             << entry.glob << "' matches no op";
        if (!allowUnmatched)
          return failure();
        continue;
      }
      SmallVector<StringRef> given;
      for (auto [role, format] : entry.roles.formats)
        given.push_back(stringifyOperandRole(role));
      if (entry.roles.accumulator)
        given.push_back(kAccumulatorKey);
      for (StringRef role : given)
        if (!entry.rolesSeen.contains(role)) {
          module.emitError() << "precision config '" << configPath
                             << "': ops['" << entry.glob << "'] sets '" << role
                             << "', but none of the " << entry.matchedOps
                             << " ops it matches has that role (e.g. '"
                             << entry.exampleOp << ")";
          return failure();
        }
    }
    return success();
  }
};
} // namespace
