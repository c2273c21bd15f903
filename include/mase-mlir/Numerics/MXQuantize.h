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
//===----------------------------------------------------------------------===//

#ifndef MASE_MLIR_NUMERICS_MXQUANTIZE_H
#define MASE_MLIR_NUMERICS_MXQUANTIZE_H

#include <cmath>
#include <cstdint>
#include <algorithm>
#include <cstring>
#include <vector>

namespace mase {
namespace numerics {

/// Element grid and scale of an MX format (see Format in formats.py).
struct MXParams {
  bool isInt;        ///< MXInt<M,E,B> (two's complement) or OCP float elements
  int elementBits;   ///< M, or 1 + ebits + mbits
  int mbits;         ///< fraction bits (M-2 for MXInt)
  int emin;          ///< exponent of the smallest normal element (0 for MXInt)
  int emaxElem;      ///< exponent of the largest power of two of the element
  int maxCode;       ///< magnitude code of the largest finite element
  int scaleBits;     ///< E
  int blockSize;     ///< B
  int ebits;         ///< exponent bits of float elements (0 for MXInt)
  int specials;      ///< 0: all finite, 1: e4m3-style NaN, 2: IEEE Inf/NaN
  bool roundEven;    ///< true: round half to even; false: half away from zero

  int scaleBias() const { return (1 << (scaleBits - 1)) - 1; }
  int scaleMin() const { return -scaleBias(); }
  int scaleMax() const { return (1 << scaleBits) - 2 - scaleBias(); }
  uint32_t scaleNaN() const { return (1u << scaleBits) - 1; }
};

namespace detail {

inline int floorLog2Bits(uint32_t absBits) {
  uint32_t ef = absBits >> 23;
  if (ef)
    return static_cast<int>(ef) - 127;
  return 31 - __builtin_clz(absBits) - 149; // fp32 subnormal (absBits != 0)
}

/// Element code for one float32 value given the block exponent s.
/// Branch-free: for float32 inputs the rounding shift is always >= 1 unless
/// the element saturates (then the clamped shift only affects a discarded q).
template <bool Even>
inline uint32_t encodeOne(uint32_t bits, int s, const MXParams &p) {
  const uint32_t neg = bits >> 31;
  const uint32_t a = bits & 0x7fffffffu;
  const uint32_t ef = a >> 23;
  const uint64_t mag = ef ? ((a & 0x7fffffu) | 0x800000u) : a;
  const int lsbExp = (ef ? int(ef) : 1) - 150;
  const int e = ef ? int(ef) - 127 : 31 - __builtin_clz(a | 1u) - 149;
  const int ee = e - s;
  const int eq = ee < p.emin ? p.emin : (ee > p.emaxElem ? p.emaxElem : ee);
  int shift = eq - p.mbits + s - lsbExp;
  shift = shift < 1 ? 1 : (shift > 40 ? 40 : shift);
  const uint64_t half = (uint64_t(1) << shift) >> 1;
  const uint64_t q = Even ? (mag + half - 1 + ((mag >> shift) & 1)) >> shift
                          : (mag + half) >> shift;
  uint64_t c = (uint64_t(eq - p.emin) << p.mbits) + q;
  const uint64_t maxCode = uint64_t(p.maxCode);
  c = c < maxCode ? c : maxCode;
  c = ee > p.emaxElem ? maxCode : c;
  const uint32_t codeMag = a ? uint32_t(c) : 0u;
  if (p.isInt) {
    const uint32_t mask = (1u << p.elementBits) - 1;
    return ((codeMag ^ (0u - neg)) + neg) & mask; // two's complement negate
  }
  return codeMag | (neg << (p.elementBits - 1));
}

template <bool Even, typename CodeT>
void quantizeImpl(const float *x, uint8_t *scales, CodeT *codes, int64_t outer,
                  int64_t n, int64_t inner, const MXParams &p) {
  const int64_t b = p.blockSize, nblk = n / b;
  std::vector<uint32_t> amax(static_cast<size_t>(inner));
  const int smin = p.scaleMin(), smax = p.scaleMax(), bias = p.scaleBias();
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t j = 0; j < nblk; ++j) {
      const int64_t base = (o * n + j * b) * inner;
      const uint32_t *xb = reinterpret_cast<const uint32_t *>(x) + base;
      CodeT *cb = codes + base;
      uint8_t *sb = scales + (o * nblk + j) * inner;
      if (inner == 1) {
        uint32_t m = 0;
        for (int64_t k = 0; k < b; ++k) {
          uint32_t v = xb[k] & 0x7fffffffu;
          m = v > m ? v : m;
        }
        amax[0] = m;
      } else {
        std::fill(amax.begin(), amax.end(), 0u);
        for (int64_t k = 0; k < b; ++k)
          for (int64_t i = 0; i < inner; ++i) {
            uint32_t v = xb[k * inner + i] & 0x7fffffffu;
            amax[i] = v > amax[i] ? v : amax[i];
          }
      }
      for (int64_t i = 0; i < inner; ++i) {
        const uint32_t m = amax[i];
        if (m >= 0x7f800000u) { // NaN or Inf in the block
          sb[i] = static_cast<uint8_t>(p.scaleNaN());
          for (int64_t k = 0; k < b; ++k)
            cb[k * inner + i] = 0;
          continue;
        }
        int s = smin;
        if (m) {
          s = floorLog2Bits(m) - p.emaxElem;
          s = s < smin ? smin : (s > smax ? smax : s);
        }
        sb[i] = static_cast<uint8_t>(s + bias);
        for (int64_t k = 0; k < b; ++k)
          cb[k * inner + i] =
              static_cast<CodeT>(encodeOne<Even>(xb[k * inner + i], s, p));
      }
    }
  }
}

} // namespace detail

/// The parameters of a format given as in the dialect's FormatAttr: MXInt
/// (mantissaBits = M) or an OCP float element eXmY (OCP special values:
/// e5m2 has IEEE Inf/NaN, e4m3 one NaN code, the 6- and 4-bit elements none).
/// Mirrors Format in python/mase_mlir/numerics/formats.py.
inline MXParams makeParams(bool isInt, int exponentBits, int mantissaBits,
                           int scaleBits, int blockSize, bool roundEven) {
  MXParams p{};
  p.isInt = isInt;
  p.scaleBits = scaleBits;
  p.blockSize = blockSize;
  p.roundEven = roundEven;
  if (isInt) {
    p.elementBits = mantissaBits;
    p.mbits = mantissaBits - 2;
    p.emin = 0;
    p.emaxElem = 0;
    p.maxCode = (1 << (mantissaBits - 1)) - 1;
    p.ebits = 0;
    p.specials = 0;
    return p;
  }
  p.ebits = exponentBits;
  p.mbits = mantissaBits;
  p.elementBits = 1 + exponentBits + mantissaBits;
  p.specials = exponentBits == 5 ? 2 : (exponentBits == 4 ? 1 : 0);
  const int full = (1 << (exponentBits + mantissaBits)) - 1;
  p.maxCode = p.specials == 2 ? full - (1 << mantissaBits)
                              : (p.specials == 1 ? full - 1 : full);
  const int bias = (1 << (exponentBits - 1)) - 1;
  p.emin = 1 - bias;
  p.emaxElem = (p.maxCode >> mantissaBits) - bias;
  return p;
}

/// Quantize x[outer][n][inner] (blocks of p.blockSize along n).
/// scales: [outer][n / B][inner]; codes: [outer][n][inner].
template <typename CodeT>
void quantize(const float *x, uint8_t *scales, CodeT *codes, int64_t outer,
              int64_t n, int64_t inner, const MXParams &p) {
  if (p.roundEven)
    detail::quantizeImpl<true>(x, scales, codes, outer, n, inner, p);
  else
    detail::quantizeImpl<false>(x, scales, codes, outer, n, inner, p);
}

/// Value of every element code (unscaled), as float.
inline std::vector<float> elementTable(const MXParams &p) {
  const uint32_t count = 1u << p.elementBits;
  std::vector<float> t(count);
  for (uint32_t c = 0; c < count; ++c) {
    if (p.isInt) {
      int32_t v = c >= count / 2 ? int32_t(c) - int32_t(count) : int32_t(c);
      t[c] = std::ldexp(float(v), -p.mbits);
      continue;
    }
    uint32_t sign = c >> (p.ebits + p.mbits);
    uint32_t ef = (c >> p.mbits) & ((1u << p.ebits) - 1);
    uint32_t mf = c & ((1u << p.mbits) - 1);
    float mant = float(ef ? mf + (1u << p.mbits) : mf);
    int bias = (1 << (p.ebits - 1)) - 1;
    float v = std::ldexp(mant, int(ef ? ef : 1) - bias - p.mbits);
    uint32_t magCode = c & ((1u << (p.ebits + p.mbits)) - 1);
    if (p.specials == 2 && ef == (1u << p.ebits) - 1)
      v = mf ? NAN : INFINITY;
    else if (p.specials == 1 && magCode == (1u << (p.ebits + p.mbits)) - 1)
      v = NAN;
    t[c] = sign ? -v : v;
  }
  return t;
}

template <typename CodeT>
void dequantize(const uint8_t *scales, const CodeT *codes, float *out,
                int64_t outer, int64_t n, int64_t inner, const MXParams &p) {
  const std::vector<float> table = elementTable(p);
  const int64_t b = p.blockSize, nblk = n / b;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < nblk; ++j) {
      const int64_t base = (o * n + j * b) * inner;
      const uint8_t *sb = scales + (o * nblk + j) * inner;
      for (int64_t k = 0; k < b; ++k)
        for (int64_t i = 0; i < inner; ++i) {
          uint32_t sc = sb[i];
          float v;
          if (sc == p.scaleNaN()) {
            v = NAN;
          } else {
            // 2^s with s in [-127, 127]: exact in float (2^-127 is subnormal).
            float f = std::ldexp(1.0f, int(sc) - p.scaleBias());
            v = table[codes[base + k * inner + i]] * f;
          }
          out[base + k * inner + i] = v;
        }
    }
}

} // namespace numerics
} // namespace mase

#endif // MASE_MLIR_NUMERICS_MXQUANTIZE_H
