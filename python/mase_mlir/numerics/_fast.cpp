// nanobind module mase_mlir.numerics._fast: compiled MX quantize/dequantize.
// Optional: the Python API falls back to numpy when it is absent.
#include "mase-mlir/Numerics/MXQuantize.h"

#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>

#include <cstdlib>
#include <cstring>

namespace nb = nanobind;
using namespace mase::numerics;

// The header is portable (SSE2 on x86-64).  Quantize is compute-bound, so on
// CPUs with AVX2 it runs a copy compiled for AVX2: `flatten` inlines the whole
// kernel into the target("avx2") wrapper.  FMA is deliberately not enabled
// (no contraction of the scale multiply into the rounding add).  Dequantize
// is memory-bound and stays portable.
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define MASE_NUMERICS_AVX2_DISPATCH 1
template <typename CodeT>
__attribute__((target("avx2"), flatten)) static void
quantizeAvx2(const float *x, uint8_t *scales, CodeT *codes, int64_t outer,
             int64_t n, int64_t inner, const MXParams &p) {
  quantize<CodeT>(x, scales, codes, outer, n, inner, p);
}
#endif

/// Whether quantize runs the AVX2 copy (MASE_NUMERICS_NO_AVX2=1: never).
static bool useAvx2() {
#ifdef MASE_NUMERICS_AVX2_DISPATCH
  static const bool avx2 =
      __builtin_cpu_supports("avx2") && !std::getenv("MASE_NUMERICS_NO_AVX2");
  return avx2;
#else
  return false;
#endif
}

template <typename CodeT>
static void quantizeDispatch(const float *x, uint8_t *scales, CodeT *codes,
                             int64_t outer, int64_t n, int64_t inner,
                             const MXParams &p) {
#ifdef MASE_NUMERICS_AVX2_DISPATCH
  if (useAvx2())
    return quantizeAvx2<CodeT>(x, scales, codes, outer, n, inner, p);
#endif
  quantize<CodeT>(x, scales, codes, outer, n, inner, p);
}

template <typename T>
using Vec = nb::ndarray<T, nb::ndim<1>, nb::c_contig, nb::device::cpu>;

/// The kernel parameters of a format, rounding as asked: `params` are the
/// bytes of an MXParams that the format attribute's C API gave
/// (mase_mlir.numerics.Format.kernel_params, the same build).
static MXParams paramsOf(const nb::bytes &params, bool roundEven) {
  MXParams p;
  if (params.size() != sizeof p)
    throw nb::value_error("_fast: kernel parameters of another build");
  std::memcpy(&p, params.c_str(), sizeof p);
  p.roundEven = roundEven;
  return p;
}

template <typename CodeT>
static void quantizeT(Vec<const float> x, Vec<uint8_t> scales, Vec<CodeT> codes,
                      int64_t outer, int64_t n, int64_t inner,
                      const nb::bytes &params, bool roundEven) {
  MXParams p = paramsOf(params, roundEven);
  if (x.shape(0) != size_t(outer * n * inner) || codes.shape(0) != x.shape(0) ||
      scales.shape(0) != size_t(outer * (n / p.blockSize) * inner) ||
      n % p.blockSize != 0)
    throw nb::value_error("_fast.quantize: inconsistent buffer sizes");
  const float *xp = x.data();
  uint8_t *sp = scales.data();
  CodeT *cp = codes.data();
  nb::gil_scoped_release release;
  quantizeDispatch<CodeT>(xp, sp, cp, outer, n, inner, p);
}

template <typename CodeT>
static void dequantizeT(Vec<const uint8_t> scales, Vec<const CodeT> codes,
                        Vec<float> out, int64_t outer, int64_t n, int64_t inner,
                        const nb::bytes &params) {
  MXParams p = paramsOf(params, true);
  if (out.shape(0) != size_t(outer * n * inner) ||
      codes.shape(0) != out.shape(0) ||
      scales.shape(0) != size_t(outer * (n / p.blockSize) * inner) ||
      n % p.blockSize != 0)
    throw nb::value_error("_fast.dequantize: inconsistent buffer sizes");
  const uint8_t *sp = scales.data();
  const CodeT *cp = codes.data();
  float *op = out.data();
  nb::gil_scoped_release release;
  dequantize<CodeT>(sp, cp, op, outer, n, inner, p);
}

NB_MODULE(_fast, m) {
  m.doc() = "Compiled bit-exact MX quantize/dequantize (see MXQuantize.h)";
  m.attr("isa") = useAvx2() ? "avx2" : "baseline";
  m.def("quantize", &quantizeT<uint8_t>);
  m.def("quantize", &quantizeT<uint16_t>);
  m.def("dequantize", &dequantizeT<uint8_t>);
  m.def("dequantize", &dequantizeT<uint16_t>);
}
