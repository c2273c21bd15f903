//===- MXToHWLoops.cpp - mx ops -> integer block arithmetic on memories ---===//
//
// The first hardware lowering of the project (issue 6). An MX-typed function
// becomes a function on memories (one MX block per memory word) whose body is
// integer arithmetic only: element products, exponent adds, an exact
// fixed-point accumulator with dynamic alignment and the final rounding into
// the output MX format, exactly as `mase_mlir.numerics.blockmath` defines it.
// No division anywhere; narrow integer counters; every loop is one flat
// `scf.for` whose body is straight-line code (stores are unconditional: the
// last write of an address holds the finished block), which CIRCT's
// handshake lowering can pipeline at one iteration per cycle.
//
//===----------------------------------------------------------------------===//

#include "mase-mlir/Conversion/Passes.h"
#include "mase-mlir/Dialect/MX/MXOps.h"
#include "mase-mlir/Dialect/MX/MXTypes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MathExtras.h"

namespace mase::mx {
#define GEN_PASS_DEF_MXLOWERTOHWLOOPS
#include "Conversion/Passes.h.inc"
} // namespace mase::mx

using namespace mlir;
using namespace mase::mx;

namespace {

//===----------------------------------------------------------------------===//
// Formats as the hardware sees them
//===----------------------------------------------------------------------===//

struct HWFormat {
  unsigned m = 0;     // element bits (two's complement)
  unsigned e = 0;     // scale bits
  unsigned b = 0;     // block size
  int64_t bias = 0;   // scale bias
  int64_t smin = 0;   // smallest scale exponent
  int64_t smax = 0;   // largest scale exponent
  int64_t lsb = 0;    // element LSB exponent: -(M-2)
  int64_t qmax = 0;   // largest element magnitude
  bool hasScale() const { return e > 1; }
  unsigned wordBits() const { return b * m + (hasScale() ? e : 0); }
  static HWFormat of(FormatAttr f) {
    HWFormat h;
    h.m = f.getElementBits();
    h.e = f.getScaleBits();
    h.b = f.getBlockSize();
    h.bias = (int64_t(1) << (h.e - 1)) - 1;
    h.smin = -h.bias;
    h.smax = (int64_t(1) << h.e) - 2 - h.bias;
    h.lsb = -(int64_t(h.m) - 2);
    h.qmax = (int64_t(1) << (h.m - 1)) - 1;
    return h;
  }
};

static unsigned bitsFor(uint64_t v) { return v == 0 ? 1 : llvm::Log2_64(v) + 1; }
static unsigned ceilLog2(uint64_t v) { return v <= 1 ? 0 : llvm::Log2_64_Ceil(v); }

/// Checks that `type` is an MX tensor the hardware handles; returns it.
static FailureOr<MXTensorType> hwTensor(Operation *op, Type type, StringRef what) {
  auto t = dyn_cast<MXTensorType>(type);
  if (!t)
    return op->emitError() << what << " must be an MX tensor for the hardware "
                           << "lowering, got " << type;
  if (!t.getFormat().isInt())
    return op->emitError() << what << ": format " << t.getFormat().str()
                           << " is not supported by the hardware lowering yet "
                              "(only mxint<M,E,B> formats)";
  if (t.getRank() < 1 || t.getAxis() != t.getRank() - 1)
    return op->emitError() << what << " must be blocked along its last axis "
                           << "for the hardware lowering, got " << type;
  return t;
}

//===----------------------------------------------------------------------===//
// A small builder of integer arithmetic
//===----------------------------------------------------------------------===//

struct IB {
  OpBuilder &b;
  Location loc;

  IntegerType ty(unsigned w) { return b.getIntegerType(w); }
  Value c(unsigned w, int64_t v) {
    return arith::ConstantOp::create(b, loc, b.getIntegerAttr(ty(w), v));
  }
  Value c1(bool v) { return c(1, v ? 1 : 0); }
  unsigned width(Value v) { return v.getType().getIntOrFloatBitWidth(); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  Value shl(Value x, Value y) { return arith::ShLIOp::create(b, loc, x, y); }
  Value shru(Value x, Value y) { return arith::ShRUIOp::create(b, loc, x, y); }
  Value band(Value x, Value y) { return arith::AndIOp::create(b, loc, x, y); }
  Value bor(Value x, Value y) { return arith::OrIOp::create(b, loc, x, y); }
  Value sel(Value p, Value x, Value y) {
    return arith::SelectOp::create(b, loc, p, x, y);
  }
  Value cmp(arith::CmpIPredicate p, Value x, Value y) {
    return arith::CmpIOp::create(b, loc, p, x, y);
  }
  Value eq(Value x, Value y) { return cmp(arith::CmpIPredicate::eq, x, y); }
  Value ne(Value x, Value y) { return cmp(arith::CmpIPredicate::ne, x, y); }
  Value slt(Value x, Value y) { return cmp(arith::CmpIPredicate::slt, x, y); }
  Value sgt(Value x, Value y) { return cmp(arith::CmpIPredicate::sgt, x, y); }
  Value sle(Value x, Value y) { return cmp(arith::CmpIPredicate::sle, x, y); }
  Value ugt(Value x, Value y) { return cmp(arith::CmpIPredicate::ugt, x, y); }
  Value smax(Value x, Value y) { return sel(sgt(x, y), x, y); }
  Value smin(Value x, Value y) { return sel(slt(x, y), x, y); }
  /// Resize keeping the value (sign- or zero-extended) or truncating.
  Value sresize(Value x, unsigned w) {
    unsigned xw = width(x);
    if (xw == w)
      return x;
    if (xw < w)
      return arith::ExtSIOp::create(b, loc, ty(w), x);
    return arith::TruncIOp::create(b, loc, ty(w), x);
  }
  Value uresize(Value x, unsigned w) {
    unsigned xw = width(x);
    if (xw == w)
      return x;
    if (xw < w)
      return arith::ExtUIOp::create(b, loc, ty(w), x);
    return arith::TruncIOp::create(b, loc, ty(w), x);
  }
  /// Bits [lo, lo+w) of x.
  Value field(Value x, unsigned lo, unsigned w) {
    Value s = lo ? shru(x, c(width(x), lo)) : x;
    return uresize(s, w);
  }
  Value index(Value x) {
    return arith::IndexCastOp::create(b, loc, b.getIndexType(), x);
  }
  /// Balanced reduction tree.
  Value tree(SmallVector<Value> vals, function_ref<Value(Value, Value)> f) {
    while (vals.size() > 1) {
      SmallVector<Value> next;
      for (size_t i = 0; i + 1 < vals.size(); i += 2)
        next.push_back(f(vals[i], vals[i + 1]));
      if (vals.size() % 2)
        next.push_back(vals.back());
      vals = std::move(next);
    }
    return vals.front();
  }
  /// Number of significant bits of an unsigned value (0 for 0), as i16:
  /// a binary search of shifts and compares (a leading-zero count).
  Value bitLength(Value mag) {
    unsigned w = width(mag);
    Value n = c(16, 0);
    Value v = mag;
    for (unsigned step = llvm::PowerOf2Ceil(w) / 2; step >= 1; step /= 2) {
      if (step >= w)
        continue;
      Value hi = shru(v, c(w, step));
      Value nz = ne(hi, c(w, 0));
      v = sel(nz, hi, v);
      n = sel(nz, add(n, c(16, step)), n);
    }
    Value last = ne(v, c(w, 0));
    return add(n, uresize(last, 16));
  }
};

//===----------------------------------------------------------------------===//
// The final rounding of a block into an MX format (numerics.encode_dyadic)
//===----------------------------------------------------------------------===//

/// Quantizes the exact values `acc[i] * 2^(exp[i] + expOffset)` (acc signed,
/// exp i16 or null for 0) into one block of `out` and packs the memory word.
static Value quantizeBlock(IB &ib, ArrayRef<Value> accs, ArrayRef<Value> exps,
                           int64_t expOffset, const HWFormat &out) {
  unsigned w = ib.width(accs.front());
  unsigned w2 = w + 2;
  unsigned n = accs.size();
  SmallVector<Value> negs, mags, nzs, msbs;
  Value noExp = ib.c(16, -32768);
  for (unsigned i = 0; i < n; ++i) {
    Value a = accs[i];
    Value neg = ib.slt(a, ib.c(w, 0));
    Value mag = ib.sel(neg, ib.sub(ib.c(w, 0), a), a);
    Value nz = ib.ne(a, ib.c(w, 0));
    Value e = exps.empty() ? ib.c(16, 0) : exps[i];
    // floor(log2 |v|) - expOffset
    Value msb = ib.add(ib.sub(ib.bitLength(mag), ib.c(16, 1)), e);
    negs.push_back(neg);
    mags.push_back(mag);
    nzs.push_back(nz);
    msbs.push_back(ib.sel(nz, msb, noExp));
  }
  // Shared scale: s = clamp(floor(log2 amax), smin, smax) (emax_elem = 0).
  Value s;
  Value anyNz = ib.tree(nzs, [&](Value x, Value y) { return ib.bor(x, y); });
  if (out.smin == out.smax) {
    s = ib.c(16, out.smin);
  } else {
    Value emax = ib.tree(msbs, [&](Value x, Value y) { return ib.smax(x, y); });
    Value eReal = ib.add(emax, ib.c(16, expOffset));
    s = ib.smin(ib.smax(eReal, ib.c(16, out.smin)), ib.c(16, out.smax));
    s = ib.sel(anyNz, s, ib.c(16, out.smin)); // all-zero block: smallest scale
  }
  // Quantum exponent relative to the exponents: S = s - (M-2) - expOffset.
  Value sq = ib.sub(s, ib.c(16, int64_t(out.m) - 2 + expOffset));
  Value sRel = ib.sub(s, ib.c(16, expOffset)); // s in units of the exponents
  unsigned ow = out.wordBits();
  Value word = ib.c(ow, 0);
  for (unsigned i = 0; i < n; ++i) {
    Value e = exps.empty() ? ib.c(16, 0) : exps[i];
    Value r = ib.sub(sq, e); // right shift onto the element grid
    Value mag = ib.uresize(mags[i], w2);
    // r <= 0: exact left shift (at most M-2 when the value does not saturate).
    Value leftAmt = ib.smin(ib.sub(ib.c(16, 0), r), ib.c(16, out.m));
    Value left = ib.shl(mag, ib.uresize(leftAmt, w2));
    // r > 0: round half to even. Amounts beyond the width give 0.
    Value a = ib.smin(ib.smax(r, ib.c(16, 1)), ib.c(16, w + 1));
    Value aw = ib.uresize(a, w2);
    Value one = ib.c(w2, 1);
    Value q0 = ib.shru(mag, aw);
    Value am1 = ib.sub(aw, one);
    Value half = ib.band(ib.shru(mag, am1), one);
    Value stickyMask = ib.sub(ib.shl(one, am1), one);
    Value sticky = ib.ne(ib.band(mag, stickyMask), ib.c(w2, 0));
    Value odd = ib.ne(ib.band(q0, one), ib.c(w2, 0));
    Value up = ib.band(ib.ne(half, ib.c(w2, 0)), ib.bor(sticky, odd));
    Value right = ib.add(q0, ib.uresize(up, w2));
    Value q = ib.sel(ib.sle(r, ib.c(16, 0)), left, right);
    // Saturation: |v| >= 2^(s+1), or rounded past the largest element.
    Value huge = ib.band(nzs[i], ib.sgt(msbs[i], sRel));
    Value qmax = ib.c(w2, out.qmax);
    Value sat = ib.bor(huge, ib.ugt(q, qmax));
    q = ib.sel(sat, qmax, q);
    Value code = ib.uresize(q, out.m);
    code = ib.sel(negs[i], ib.sub(ib.c(out.m, 0), code), code);
    word = ib.bor(word, ib.shl(ib.uresize(code, ow), ib.c(ow, i * out.m)));
  }
  if (out.hasScale()) {
    Value code = ib.uresize(ib.add(s, ib.c(16, out.bias)), out.e);
    word = ib.bor(word,
                  ib.shl(ib.uresize(code, ow), ib.c(ow, int64_t(out.b) * out.m)));
  }
  return word;
}

/// Element `i` of a block word, sign-extended to `w` bits.
static Value element(IB &ib, Value word, const HWFormat &f, unsigned i,
                     unsigned w) {
  return ib.sresize(ib.field(word, i * f.m, f.m), w);
}

/// The scale code of a block word as i16 (0 when the format has no scale).
static Value scaleCode(IB &ib, Value word, const HWFormat &f) {
  if (!f.hasScale())
    return ib.c(16, 0);
  return ib.uresize(ib.field(word, f.b * f.m, f.e), 16);
}

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

struct Memory {
  Value memref;
  MXTensorType type;
};

struct MXLowerToHWLoopsPass
    : public mase::mx::impl::MXLowerToHWLoopsBase<MXLowerToHWLoopsPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<func::FuncOp> funcs;
    for (auto f : getOperation().getOps<func::FuncOp>())
      if (needsLowering(f))
        funcs.push_back(f);
    for (auto f : funcs)
      if (failed(lowerFunc(f)))
        return signalPassFailure();
  }

  static bool needsLowering(func::FuncOp f) {
    auto isMX = [](Type t) { return isa<MXTensorType>(t); };
    return llvm::any_of(f.getArgumentTypes(), isMX) ||
           llvm::any_of(f.getResultTypes(), isMX);
  }

  static MemRefType memType(MXTensorType t) {
    HWFormat f = HWFormat::of(t.getFormat());
    return MemRefType::get({t.getNumBlocks()},
                           IntegerType::get(t.getContext(), f.wordBits()));
  }

  static DictionaryAttr memAttr(MLIRContext *ctx, StringRef name, StringRef role,
                                MXTensorType t) {
    Builder b(ctx);
    HWFormat f = HWFormat::of(t.getFormat());
    SmallVector<NamedAttribute> attrs = {
        b.getNamedAttr("name", b.getStringAttr(name)),
        b.getNamedAttr("role", b.getStringAttr(role)),
        b.getNamedAttr("format", b.getStringAttr(t.getFormat().str())),
        b.getNamedAttr("shape", b.getDenseI64ArrayAttr(t.getShape())),
        b.getNamedAttr("words", b.getI64IntegerAttr(t.getNumBlocks())),
        b.getNamedAttr("word_bits", b.getI64IntegerAttr(f.wordBits())),
        b.getNamedAttr("scale_bits",
                       b.getI64IntegerAttr(f.hasScale() ? f.e : 0)),
    };
    return b.getDictionaryAttr(attrs);
  }

  LogicalResult lowerFunc(func::FuncOp f) {
    MLIRContext *ctx = &getContext();
    if (!f.getBody().hasOneBlock())
      return f.emitError("hardware lowering needs a single-block function");
    Block &body = f.getBody().front();
    auto ret = cast<func::ReturnOp>(body.getTerminator());

    // Signature: every argument and result an MX tensor (in memory).
    SmallVector<Type> argTypes;
    SmallVector<Attribute> argAttrs;
    for (auto [i, arg] : llvm::enumerate(f.getArguments())) {
      auto t = hwTensor(f, arg.getType(), "argument #" + std::to_string(i));
      if (failed(t))
        return failure();
      argTypes.push_back(memType(*t));
      std::string name = "arg" + std::to_string(i);
      if (auto n = f.getArgAttrOfType<StringAttr>(i, "mase.name"))
        name = n.str();
      argAttrs.push_back(memAttr(ctx, name, "input", *t));
    }
    for (auto [i, res] : llvm::enumerate(ret.getOperands())) {
      auto t = hwTensor(ret, res.getType(), "result #" + std::to_string(i));
      if (failed(t))
        return failure();
      if (isa<BlockArgument>(res) || !res.getDefiningOp() ||
          llvm::count(ret.getOperands(), res) > 1)
        return ret.emitError()
               << "result #" << i
               << " must be computed by an op of the function (the hardware "
                  "lowering does not copy tensors)";
      argTypes.push_back(memType(*t));
      argAttrs.push_back(
          memAttr(ctx, "result" + std::to_string(i), "output", *t));
    }

    // Check every op before rewriting anything.
    for (Operation &op : body.without_terminator()) {
      if (isa<LinearOp, ReluOp>(op))
        continue;
      return op.emitError() << "'" << op.getName()
                            << "' is not supported by the hardware lowering "
                               "yet (supported: mx.linear, mx.relu)";
    }

    OpBuilder b(ctx);
    b.setInsertionPoint(f);
    auto nf = func::FuncOp::create(b, f.getLoc(), f.getName(),
                                   b.getFunctionType(argTypes, {}));
    nf.setVisibility(f.getVisibility());
    for (auto [i, a] : llvm::enumerate(argAttrs))
      nf.setArgAttr(i, "mase.mem", a);
    nf->setAttr("mase.hw", b.getUnitAttr());
    Block *entry = nf.addEntryBlock();
    b.setInsertionPointToStart(entry);

    llvm::DenseMap<Value, Memory> mems;
    unsigned nargs = f.getNumArguments();
    for (auto [i, arg] : llvm::enumerate(f.getArguments()))
      mems[arg] = {entry->getArgument(i), cast<MXTensorType>(arg.getType())};
    llvm::DenseMap<Value, Value> resultMem;
    for (auto [i, res] : llvm::enumerate(ret.getOperands()))
      resultMem[res] = entry->getArgument(nargs + i);

    for (Operation &op : body.without_terminator()) {
      Value result = op.getResult(0);
      auto rt = hwTensor(&op, result.getType(), "result");
      if (failed(rt))
        return failure();
      Value outMem = resultMem.lookup(result);
      if (!outMem)
        outMem = memref::AllocOp::create(b, op.getLoc(), memType(*rt));
      Memory out{outMem, *rt};
      LogicalResult ok = success();
      if (auto lin = dyn_cast<LinearOp>(op))
        ok = lowerLinear(b, lin, mems, out);
      else if (auto relu = dyn_cast<ReluOp>(op))
        ok = lowerRelu(b, relu, mems, out);
      if (failed(ok)) {
        nf.erase();
        return failure();
      }
      mems[result] = out;
    }
    func::ReturnOp::create(b, ret.getLoc());
    nf->setLoc(f.getLoc());
    f.erase();
    return success();
  }

  FailureOr<Memory> operand(Operation *op, Value v,
                            llvm::DenseMap<Value, Memory> &mems,
                            StringRef what) {
    auto t = hwTensor(op, v.getType(), what);
    if (failed(t))
      return failure();
    auto it = mems.find(v);
    if (it == mems.end())
      return op->emitError() << what << " has no memory (unsupported producer)";
    return it->second;
  }

  //===--------------------------------------------------------------------===//
  // mx.linear
  //===--------------------------------------------------------------------===//

  LogicalResult lowerLinear(OpBuilder &b, LinearOp op,
                            llvm::DenseMap<Value, Memory> &mems, Memory out) {
    if (op.getBias())
      return op.emitError("mx.linear with a bias is not supported by the "
                          "hardware lowering yet");
    auto xm = operand(op, op.getInput(), mems, "input");
    auto wm = operand(op, op.getWeight(), mems, "weight");
    if (failed(xm) || failed(wm))
      return failure();
    HWFormat fx = HWFormat::of(xm->type.getFormat());
    HWFormat fw = HWFormat::of(wm->type.getFormat());
    HWFormat fo = HWFormat::of(out.type.getFormat());
    ArrayRef<int64_t> xs = xm->type.getShape();
    ArrayRef<int64_t> ws = wm->type.getShape();
    if (ws.size() != 2 || xs.empty())
      return op.emitError("hardware lowering: weight must be [N, K]");
    int64_t k = xs.back(), n = ws[0];
    int64_t rows = xm->type.getNumElements() / k;
    if (fx.b != fw.b)
      return op.emitError("hardware lowering: input and weight block sizes "
                          "differ");
    int64_t kb = k / fx.b, nb = n / fo.b, bo = fo.b;
    int64_t trips = rows * nb * bo * kb;

    Location loc = op.getLoc();
    IB ib{b, loc};
    // Widths: element products, block sums, the accumulator.
    unsigned pw = fx.m + fw.m;
    unsigned sw = pw + ceilLog2(fx.b);
    bool fixed = !fx.hasScale() && !fw.hasScale();
    unsigned accW = sw + ceilLog2(kb) + (fixed ? 0 : accGuardBits);
    // Exponent offset: value = acc * 2^(e + C), e = scale code sum.
    int64_t expOffset = fx.lsb + fw.lsb - (fx.hasScale() ? fx.bias : 0) -
                        (fw.hasScale() ? fw.bias : 0);
    unsigned cw = bitsFor(std::max<int64_t>(
                      {trips, xm->type.getNumBlocks(), wm->type.getNumBlocks(),
                       out.type.getNumBlocks()})) +
                  1;

    // Loop state: row, output block, element in block, K block, running
    // accumulator (and exponent), the output-block shift register.
    SmallVector<Value> init = {ib.c(cw, 0), ib.c(cw, 0), ib.c(cw, 0),
                               ib.c(cw, 0), ib.c(accW, 0)};
    if (!fixed)
      init.push_back(ib.c(16, 0));
    for (int64_t i = 0; i < bo; ++i)
      init.push_back(ib.c(accW, 0));
    if (!fixed)
      for (int64_t i = 0; i < bo; ++i)
        init.push_back(ib.c(16, 0));

    Value lb = ib.c(cw, 0), ub = ib.c(cw, trips), step = ib.c(cw, 1);
    auto loop = scf::ForOp::create(b, loc, lb, ub, step, init);
    loop->setAttr("mase.loop", b.getStringAttr("linear"));
    {
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(loop.getBody());
      ValueRange st = loop.getRegionIterArgs();
      Value m = st[0], nbi = st[1], j = st[2], kbi = st[3], acc = st[4];
      unsigned p = 5;
      Value e = fixed ? Value() : st[p++];
      SmallVector<Value> reg(st.begin() + p, st.begin() + p + bo);
      p += bo;
      SmallVector<Value> regE;
      if (!fixed)
        regE.assign(st.begin() + p, st.begin() + p + bo);

      // Addresses.
      Value xa = ib.add(ib.mul(m, ib.c(cw, kb)), kbi);
      Value row = ib.add(ib.mul(nbi, ib.c(cw, bo)), j);
      Value wa = ib.add(ib.mul(row, ib.c(cw, kb)), kbi);
      Value oa = ib.add(ib.mul(m, ib.c(cw, nb)), nbi);
      Value xw = memref::LoadOp::create(b, loc, xm->memref, ib.index(xa));
      Value ww = memref::LoadOp::create(b, loc, wm->memref, ib.index(wa));

      // Block dot product: B integer MACs.
      SmallVector<Value> prods;
      for (unsigned i = 0; i < fx.b; ++i)
        prods.push_back(ib.sresize(
            ib.mul(element(ib, xw, fx, i, pw), element(ib, ww, fw, i, pw)),
            sw));
      Value prod = ib.tree(prods, [&](Value x, Value y) { return ib.add(x, y); });
      Value pa = ib.sresize(prod, accW);

      Value first = ib.eq(kbi, ib.c(cw, 0));
      Value accIn = ib.sel(first, ib.c(accW, 0), acc);
      Value accN, eN;
      if (fixed) {
        accN = ib.add(accIn, pa);
      } else {
        // Exact accumulation with dynamic alignment: the LSB is the smallest
        // exponent of a non-zero term (blockmath._accumulate).
        Value t = ib.add(scaleCode(ib, xw, fx), scaleCode(ib, ww, fw));
        Value pz = ib.eq(pa, ib.c(accW, 0));
        Value az = ib.eq(accIn, ib.c(accW, 0));
        Value lt = ib.slt(t, e);
        Value up = ib.sresize(ib.sub(e, t), accW);   // t < e: shift acc up
        Value dn = ib.sresize(ib.sub(t, e), accW);   // t >= e: shift p up
        Value sumA = ib.add(ib.shl(accIn, up), pa);
        Value sumB = ib.add(accIn, ib.shl(pa, dn));
        Value sum = ib.sel(lt, sumA, sumB);
        accN = ib.sel(pz, accIn, ib.sel(az, pa, sum));
        eN = ib.sel(pz, e, ib.sel(ib.bor(az, lt), t, e));
      }

      // The finished dot product enters the output-block shift register.
      Value lastK = ib.eq(kbi, ib.c(cw, kb - 1));
      SmallVector<Value> regN, regEN;
      for (int64_t i = 0; i < bo; ++i) {
        Value nextA = i + 1 < bo ? reg[i + 1] : accN;
        regN.push_back(ib.sel(lastK, nextA, reg[i]));
        if (!fixed) {
          Value nextE = i + 1 < bo ? regE[i + 1] : eN;
          regEN.push_back(ib.sel(lastK, nextE, regE[i]));
        }
      }
      // Final rounding into the output format; the store is unconditional:
      // the last write of each output word holds the finished block.
      Value word = quantizeBlock(ib, regN, regEN, expOffset, fo);
      memref::StoreOp::create(b, loc, word, out.memref, ib.index(oa));

      // Counters.
      Value one = ib.c(cw, 1), zero = ib.c(cw, 0);
      Value lastJ = ib.eq(j, ib.c(cw, bo - 1));
      Value lastN = ib.eq(nbi, ib.c(cw, nb - 1));
      Value endJ = ib.band(lastK, lastJ);
      Value endN = ib.band(endJ, lastN);
      Value kbN = ib.sel(lastK, zero, ib.add(kbi, one));
      Value jN = ib.sel(lastK, ib.sel(lastJ, zero, ib.add(j, one)), j);
      Value nbN = ib.sel(endJ, ib.sel(lastN, zero, ib.add(nbi, one)), nbi);
      Value mN = ib.sel(endN, ib.add(m, one), m);
      SmallVector<Value> yield = {mN, nbN, jN, kbN, accN};
      if (!fixed)
        yield.push_back(eN);
      yield.append(regN.begin(), regN.end());
      yield.append(regEN.begin(), regEN.end());
      scf::YieldOp::create(b, loc, yield);
    }
    return success();
  }

  //===--------------------------------------------------------------------===//
  // mx.relu: exact re-quantization of max(x, 0), block by block
  //===--------------------------------------------------------------------===//

  LogicalResult lowerRelu(OpBuilder &b, ReluOp op,
                          llvm::DenseMap<Value, Memory> &mems, Memory out) {
    auto xm = operand(op, op.getInput(), mems, "input");
    if (failed(xm))
      return failure();
    HWFormat fi = HWFormat::of(xm->type.getFormat());
    HWFormat fo = HWFormat::of(out.type.getFormat());
    if (fi.b != fo.b)
      return op.emitError() << "hardware lowering: mx.relu cannot change the "
                               "block size ("
                            << fi.b << " -> " << fo.b << ")";
    Location loc = op.getLoc();
    IB ib{b, loc};
    int64_t blocks = xm->type.getNumBlocks();
    unsigned cw = bitsFor(blocks) + 1;
    unsigned w = fi.m + 2;
    int64_t expOffset = fi.lsb - (fi.hasScale() ? fi.bias : 0);
    auto loop = scf::ForOp::create(b, loc, ib.c(cw, 0), ib.c(cw, blocks),
                                   ib.c(cw, 1));
    loop->setAttr("mase.loop", b.getStringAttr("relu"));
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPoint(loop.getBody()->getTerminator());
    Value i = loop.getInductionVar();
    Value word = memref::LoadOp::create(b, loc, xm->memref, ib.index(i));
    Value sc = scaleCode(ib, word, fi);
    SmallVector<Value> accs, exps;
    for (unsigned l = 0; l < fi.b; ++l) {
      Value q = element(ib, word, fi, l, w);
      accs.push_back(ib.smax(q, ib.c(w, 0)));
      exps.push_back(sc);
    }
    Value res = quantizeBlock(ib, accs, exps, expOffset, fo);
    memref::StoreOp::create(b, loc, res, out.memref, ib.index(i));
    return success();
  }
};

} // namespace
