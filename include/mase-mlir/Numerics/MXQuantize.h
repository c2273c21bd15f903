//===- MXQuantize.h - Bit-exact MX quantization kernels ---------*- C++ -*-===//
//
// Self-contained C++17 (no MLIR/LLVM dependency).  Quantizes a float32 buffer
// to an MX format blocked along one axis, and dequantizes it, bit-exactly as
// the numpy definition in python/mase_mlir/numerics/quantize.py (the golden
// model; see docs/numerics.md):
//   e = floor(log2(amax)) from the float bits; s = clamp(e - emaxElem,
//   scaleMin, scaleMax); elements rounded (RNE or half-away) onto the element
//   grid with subnormals, saturated, sign kept (-0 for float elements).
//   NaN/Inf in a block: NaN scale code, element codes 0.  All-zero block:
//   scale code 0.
// The buffer is viewed as [outer][n][inner] with blocks of `blockSize` along n.
//
// Speed: per block, amax is an integer max over the abs bits; per element
// the work is branch-free float/integer arithmetic with uniform shifts, so
// the loops auto-vectorize (SSE2 and up; no division, no table).  Element i:
//   y = min(|x| * 2^-s, maxValue)  exact power-of-two scaling, saturation
//   t = binade of y on the element grid, max(exponent(y), emin)
//   f = y + 2^(t + 23 - fbits)     the FPU rounds y to the quantum 2^(t-fbits)
//   code = bits(f) - bits(2^(t + 23 - fbits)) + ((t - emin) << fbits)
// (RNE; half-away fixes up the ties RNE sent down).  Scaling is exact unless
// y underflows float32, and then y < 2^-126 is far below half the smallest
// quantum (2^-16, e5m2) and rounds to 0 either way.  Saturating before rounding
// equals saturating after since maxValue is on the grid.  MXInt is the same
// grid with a single binade (emin = emaxElem = 0, fbits = M - 2).  Rounding
// by the FPU needs IEEE defaults: each call forces RNE without FTZ/DAZ.
//
//===----------------------------------------------------------------------===//

#ifndef MASE_MLIR_NUMERICS_MXQUANTIZE_H
#define MASE_MLIR_NUMERICS_MXQUANTIZE_H

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#if defined(__SSE__) || defined(_M_X64)
#include <xmmintrin.h>
#define MASE_NUMERICS_HAS_MXCSR 1
#else
#include <cfenv>
#endif

namespace mase {
namespace numerics {

/// Which element codes are not numbers (mase::mx::ElementSpecials).
enum class Specials : int {
  Finite = 0,  ///< every code is a finite number (MXInt, fp6, fp4)
  NaNOnly = 1, ///< only S.1111.111 is NaN (e4m3)
  InfNaN = 2,  ///< the all-ones exponent is Inf or NaN (e5m2)
};

/// Element grid and scale of an MX format: the facts of the dialect's
/// FormatAttr, which defines every one of them (the kernel computes none).
struct MXParams {
  bool isInt;        ///< MXInt<M,E,B> (two's complement) or OCP float elements
  int elementBits;   ///< bits of one element code: M, or 1 + X + Y
  int fractionBits;  ///< bits below the binary point: M-2, or Y
  int exponentBits;  ///< X of a float element (0 for MXInt)
  int elementBias;   ///< exponent bias of a float element (0 for MXInt)
  int emin;          ///< exponent of the smallest normal element (0 for MXInt)
  int emaxElem;      ///< exponent of the largest power of two of the element
  int maxCode;       ///< magnitude code of the largest finite element
  Specials specials; ///< codes that are not numbers
  int scaleBits;     ///< E
  int blockSize;     ///< B
  int scaleBias;     ///< 2^(E-1) - 1
  int scaleMin;      ///< smallest scale exponent
  int scaleMax;      ///< largest scale exponent
  uint32_t scaleNaN; ///< the NaN scale code (all ones)
  bool roundEven;    ///< true: round half to even; false: half away from zero
};

namespace detail {

inline uint32_t bitsOf(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

inline float floatOf(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

/// 2^e as float32 for e in [-149, 127] (exact, subnormal below -126).
inline float pow2(int e) {
  return floatOf(e >= -126 ? uint32_t(e + 127) << 23 : 1u << (e + 149));
}

/// Forces round-to-nearest-even without flush-to-zero / denormals-are-zero
/// (a library built with -ffast-math may have set them in this process).
class DefaultFPEnv {
#ifdef MASE_NUMERICS_HAS_MXCSR
  unsigned saved = _mm_getcsr();

public:
  DefaultFPEnv() { _mm_setcsr(0x1f80); } // all exceptions masked, RNE
  ~DefaultFPEnv() { _mm_setcsr(saved); }
#else
  int saved = std::fegetround();

public:
  DefaultFPEnv() { std::fesetround(FE_TONEAREST); }
  ~DefaultFPEnv() { std::fesetround(saved); }
#endif
  DefaultFPEnv(const DefaultFPEnv &) = delete;
  DefaultFPEnv &operator=(const DefaultFPEnv &) = delete;
};

/// Value of element code `c` (unscaled), as float.
inline float elementValue(uint32_t c, const MXParams &p) {
  const uint32_t count = 1u << p.elementBits;
  const int fb = p.fractionBits, eb = p.exponentBits;
  if (p.isInt) {
    int32_t v = c >= count / 2 ? int32_t(c) - int32_t(count) : int32_t(c);
    return std::ldexp(float(v), -fb);
  }
  uint32_t sign = c >> (eb + fb);
  uint32_t ef = (c >> fb) & ((1u << eb) - 1);
  uint32_t mf = c & ((1u << fb) - 1);
  float mant = float(ef ? mf + (1u << fb) : mf);
  float v = std::ldexp(mant, int(ef ? ef : 1) - p.elementBias - fb);
  uint32_t magCode = c & ((1u << (eb + fb)) - 1);
  if (p.specials == Specials::InfNaN && ef == (1u << eb) - 1)
    v = mf ? NAN : INFINITY;
  else if (p.specials == Specials::NaNOnly && magCode == (1u << (eb + fb)) - 1)
    v = NAN;
  return sign ? -v : v;
}

/// Per-format constants of the element encoder (see the file comment).
struct Encoder {
  float maxValue;  ///< largest finite element (a grid point)
  float normalMin; ///< 2^emin
  uint32_t tMin;   ///< biased float32 exponent of 2^emin
  uint32_t fbits;  ///< fraction bits
  uint32_t maxCode;
  uint32_t cut;       ///< 23 - fbits: float32 mantissa bits below the quantum
  uint32_t signShift; ///< elementBits - 1
  uint32_t mask;      ///< (1 << elementBits) - 1

  explicit Encoder(const MXParams &p)
      : maxValue(elementValue(uint32_t(p.maxCode), p)), normalMin(pow2(p.emin)),
        tMin(uint32_t(127 + p.emin)), fbits(uint32_t(p.fractionBits)),
        maxCode(uint32_t(p.maxCode)), cut(uint32_t(23 - p.fractionBits)),
        signShift(uint32_t(p.elementBits - 1)),
        mask(uint32_t((1u << p.elementBits) - 1)) {}

  /// Element code of the float32 with bits `x` in a block scaled by 2^-s
  /// (`inv` = 2^-s).  Branch-free with uniform shifts so loops vectorize.
  template <bool Even, bool IsInt>
  uint32_t encode(uint32_t x, float inv) const {
    const uint32_t neg = x >> 31;
    // Saturating before rounding is the same as after (maxValue is on the
    // grid), and keeps every intermediate below in range.
    const float y = std::min(floatOf(x & 0x7fffffffu) * inv, maxValue);
    // Binade t (biased) of the element grid that y falls in; its quantum is
    // 2^(t - 127 - fbits).  MXInt has a single binade.
    const uint32_t t = IsInt ? tMin : bitsOf(std::max(y, normalMin)) >> 23;
    // y + 2^(t - 127 + 23 - fbits) rounds y to the quantum (RNE) and leaves
    // y / quantum in the low bits.
    const uint32_t magicBits = (t + cut) << 23;
    const float magic = floatOf(magicBits);
    const float f = y + magic;
    uint32_t code = bitsOf(f) - magicBits;
    if (!IsInt) // codes below binade t
      code += (t - tMin) << fbits;
    if (!Even) // a tie that went down to even goes up instead (exact diff)
      code += uint32_t(bitsOf(y - (f - magic)) == (t - fbits - 1) << 23);
    // A no-op (y <= maxValue) that keeps GCC from narrowing each term above
    // to the code width separately: one pack at the end is cheaper.
    if (!IsInt)
      code = std::min(code, maxCode);
    if (IsInt)
      return ((code ^ (0u - neg)) + neg) & mask; // two's complement negate
    return code | (neg << signShift);
  }
};

/// Scale exponent of a block with largest magnitude bits `amax` (finite).
inline int blockScale(uint32_t amax, const MXParams &p) {
  if (!amax)
    return p.scaleMin;
  const uint32_t ef = amax >> 23;
  const int e = ef ? int(ef) - 127 : 31 - __builtin_clz(amax) - 149;
  return std::clamp(e - p.emaxElem, p.scaleMin, p.scaleMax);
}

/// Contiguous blocks (inner == 1): `FixedB` > 0 is the block size known at
/// compile time (fully unrolled vector code), 0 means p.blockSize.
template <bool Even, bool IsInt, int FixedB, typename CodeT>
void quantizeContiguous(const uint32_t *__restrict x,
                        uint8_t *__restrict scales, CodeT *__restrict codes,
                        int64_t nblocks, const MXParams &p) {
  const Encoder enc(p);
  const int64_t b = FixedB ? FixedB : p.blockSize;
  const int bias = p.scaleBias;
  const uint8_t nanCode = uint8_t(p.scaleNaN);
  for (int64_t j = 0; j < nblocks; ++j, x += b, codes += b) {
    uint32_t amax = 0;
    for (int64_t k = 0; k < b; ++k)
      amax = std::max(amax, x[k] & 0x7fffffffu);
    if (amax >= 0x7f800000u) { // NaN or Inf in the block
      scales[j] = nanCode;
      std::fill(codes, codes + b, CodeT(0));
      continue;
    }
    const int s = blockScale(amax, p);
    scales[j] = uint8_t(s + bias);
    const float inv = pow2(-s);
    for (int64_t k = 0; k < b; ++k)
      codes[k] = CodeT(enc.encode<Even, IsInt>(x[k], inv));
  }
}

/// Blocks strided by `inner`: vectorized across a chunk of columns.
template <bool Even, bool IsInt, typename CodeT>
void quantizeStrided(const uint32_t *__restrict x, uint8_t *__restrict scales,
                     CodeT *__restrict codes, int64_t outer, int64_t n,
                     int64_t inner, const MXParams &p) {
  constexpr int64_t kChunk = 256;
  const Encoder enc(p);
  const int64_t b = p.blockSize, nblk = n / b;
  const int bias = p.scaleBias;
  uint32_t amax[kChunk], keep[kChunk];
  float inv[kChunk];
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < nblk; ++j)
      for (int64_t i0 = 0; i0 < inner; i0 += kChunk) {
        const int64_t w = std::min(kChunk, inner - i0);
        const int64_t base = (o * n + j * b) * inner + i0;
        const uint32_t *xb = x + base;
        CodeT *cb = codes + base;
        uint8_t *sb = scales + (o * nblk + j) * inner + i0;
        std::fill(amax, amax + w, 0u);
        for (int64_t k = 0; k < b; ++k)
          for (int64_t i = 0; i < w; ++i)
            amax[i] = std::max(amax[i], xb[k * inner + i] & 0x7fffffffu);
        for (int64_t i = 0; i < w; ++i) {
          const bool bad = amax[i] >= 0x7f800000u; // NaN or Inf in the block
          const int s = bad ? 0 : blockScale(amax[i], p);
          sb[i] = uint8_t(bad ? p.scaleNaN : uint32_t(s + bias));
          inv[i] = pow2(-s);
          keep[i] = bad ? 0u : ~0u;
        }
        for (int64_t k = 0; k < b; ++k)
          for (int64_t i = 0; i < w; ++i)
            cb[k * inner + i] = CodeT(
                enc.encode<Even, IsInt>(xb[k * inner + i], inv[i]) & keep[i]);
      }
}

template <bool Even, bool IsInt, typename CodeT>
void quantizeImpl(const float *x, uint8_t *scales, CodeT *codes, int64_t outer,
                  int64_t n, int64_t inner, const MXParams &p) {
  const uint32_t *xb = reinterpret_cast<const uint32_t *>(x);
  const int64_t nblocks = outer * (n / p.blockSize);
  if (inner != 1)
    quantizeStrided<Even, IsInt>(xb, scales, codes, outer, n, inner, p);
  else if (p.blockSize == 32) // the OCP block size
    quantizeContiguous<Even, IsInt, 32>(xb, scales, codes, nblocks, p);
  else
    quantizeContiguous<Even, IsInt, 0>(xb, scales, codes, nblocks, p);
}

/// Exact-in-double fallback for scale codes outside [-127, 127] (only
/// possible for hand-made scales with E < 8): rounds once to float32.
template <typename CodeT>
void dequantizeBlockSlow(const CodeT *codes, float *out, int64_t b,
                         int64_t stride, int s, const MXParams &p) {
  const double f = std::ldexp(1.0, s);
  for (int64_t k = 0; k < b; ++k)
    out[k * stride] = float(double(elementValue(codes[k * stride], p)) * f);
}

/// Per-block factor: table values are multiplied by 2^(s - shift), or NaN for
/// the NaN scale.  Returns false for scales needing dequantizeBlockSlow.
inline bool blockFactor(uint32_t sc, int shift, const MXParams &p, float &f) {
  if (sc == p.scaleNaN) {
    f = NAN;
    return true;
  }
  const int s = int(sc) - p.scaleBias;
  f = s >= -127 && s <= 127 ? pow2(s - shift) : 0.0f;
  return s >= -127 && s <= 127;
}

template <typename CodeT>
void dequantizeImpl(const uint8_t *__restrict scales,
                    const CodeT *__restrict codes, float *__restrict out,
                    int64_t outer, int64_t n, int64_t inner,
                    const MXParams &p) {
  // Float elements (<= 8 bits) decode through a table; MXInt elements are
  // computed, sign-extended integers times 2^(s - fbits) (a power of two
  // >= 2^-141, exact; vectorizes).
  float table[256] = {};
  if (!p.isInt)
    for (uint32_t c = 0; c < (1u << p.elementBits); ++c)
      table[c] = elementValue(c, p);
  const int shift = p.isInt ? p.fractionBits : 0;
  const int ext = 32 - p.elementBits;
  auto decode = [&](uint32_t c, float f) {
    return p.isInt ? float(int32_t(c << ext) >> ext) * f : table[c & 0xff] * f;
  };
  const int64_t b = p.blockSize, nblk = n / b;
  if (inner == 1) {
    for (int64_t j = 0; j < outer * nblk; ++j, codes += b, out += b) {
      float f;
      if (!blockFactor(scales[j], shift, p, f)) {
        dequantizeBlockSlow(codes, out, b, 1, int(scales[j]) - p.scaleBias, p);
        continue;
      }
      if (p.isInt)
        for (int64_t k = 0; k < b; ++k)
          out[k] = float(int32_t(uint32_t(codes[k]) << ext) >> ext) * f;
      else
        for (int64_t k = 0; k < b; ++k)
          out[k] = table[codes[k] & 0xff] * f;
    }
    return;
  }
  // Strided blocks: per-column factors for a chunk, then contiguous rows.
  constexpr int64_t kChunk = 256;
  float fac[kChunk];
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < nblk; ++j)
      for (int64_t i0 = 0; i0 < inner; i0 += kChunk) {
        const int64_t w = std::min(kChunk, inner - i0);
        const int64_t base = (o * n + j * b) * inner + i0;
        const uint8_t *sb = scales + (o * nblk + j) * inner + i0;
        bool anySlow = false;
        for (int64_t i = 0; i < w; ++i)
          anySlow |= !blockFactor(sb[i], shift, p, fac[i]);
        for (int64_t k = 0; k < b; ++k)
          for (int64_t i = 0; i < w; ++i)
            out[base + k * inner + i] =
                decode(codes[base + k * inner + i], fac[i]);
        if (!anySlow)
          continue;
        for (int64_t i = 0; i < w; ++i)
          if (!blockFactor(sb[i], shift, p, fac[i]))
            dequantizeBlockSlow(codes + base + i, out + base + i, b, inner,
                                int(sb[i]) - p.scaleBias, p);
      }
}

} // namespace detail

/// Quantize x[outer][n][inner] (blocks of p.blockSize along n).
/// scales: [outer][n / B][inner]; codes: [outer][n][inner].
template <typename CodeT>
void quantize(const float *x, uint8_t *scales, CodeT *codes, int64_t outer,
              int64_t n, int64_t inner, const MXParams &p) {
  detail::DefaultFPEnv env;
  // One dispatch per call onto code specialized for the rounding and family.
  if (p.roundEven && p.isInt)
    detail::quantizeImpl<true, true>(x, scales, codes, outer, n, inner, p);
  else if (p.roundEven)
    detail::quantizeImpl<true, false>(x, scales, codes, outer, n, inner, p);
  else if (p.isInt)
    detail::quantizeImpl<false, true>(x, scales, codes, outer, n, inner, p);
  else
    detail::quantizeImpl<false, false>(x, scales, codes, outer, n, inner, p);
}

/// Value of every element code (unscaled), as float.
inline std::vector<float> elementTable(const MXParams &p) {
  std::vector<float> t(size_t(1) << p.elementBits);
  for (uint32_t c = 0; c < t.size(); ++c)
    t[c] = detail::elementValue(c, p);
  return t;
}

/// Dequantize to float32: element * 2^s, rounded once (NaN for NaN scales).
template <typename CodeT>
void dequantize(const uint8_t *scales, const CodeT *codes, float *out,
                int64_t outer, int64_t n, int64_t inner, const MXParams &p) {
  detail::DefaultFPEnv env;
  detail::dequantizeImpl(scales, codes, out, outer, n, inner, p);
}

} // namespace numerics
} // namespace mase

#endif // MASE_MLIR_NUMERICS_MXQUANTIZE_H
