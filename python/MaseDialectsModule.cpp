//===- MaseDialectsModule.cpp - Python classes of the mx dialect ----------===//
//
// mase_mlir.dialects.mx.FormatAttr and mase_mlir.dialects.mx.TensorType.
//
//===----------------------------------------------------------------------===//

#include "mase-mlir-c/Dialects.h"

#include "mlir-c/Diagnostics.h"
#include "mlir-c/IR.h"
#include "mlir/Bindings/Python/Nanobind.h"
#include "mlir/Bindings/Python/NanobindAdaptors.h"

#include <optional>
#include <string>
#include <vector>

namespace nb = nanobind;
using namespace mlir::python::nanobind_adaptors;

namespace {
/// Collects the diagnostics a C API call emits so that they become the
/// message of a Python exception instead of text on stderr.
class DiagnosticCollector {
public:
  explicit DiagnosticCollector(MlirContext ctx) : ctx(ctx) {
    id = mlirContextAttachDiagnosticHandler(ctx, &handle, this, nullptr);
  }
  ~DiagnosticCollector() { mlirContextDetachDiagnosticHandler(ctx, id); }
  const std::string &message() const { return text; }

private:
  static MlirLogicalResult handle(MlirDiagnostic diag, void *userData) {
    auto *self = static_cast<DiagnosticCollector *>(userData);
    if (!self->text.empty())
      self->text += "\n";
    mlirDiagnosticPrint(
        diag,
        [](MlirStringRef s, void *data) {
          static_cast<std::string *>(data)->append(s.data, s.length);
        },
        &self->text);
    return mlirLogicalResultSuccess();
  }
  MlirContext ctx;
  MlirDiagnosticHandlerID id;
  std::string text;
};

/// get(0), ..., get(n - 1).
template <typename T, typename Get>
std::vector<T> collect(intptr_t n, Get get) {
  std::vector<T> out;
  for (intptr_t i = 0; i < n; ++i)
    out.push_back(get(i));
  return out;
}

void appendString(MlirStringRef s, void *data) {
  static_cast<std::string *>(data)->append(s.data, s.length);
}

std::string formatSpelling(MlirAttribute attr) {
  std::string out;
  maseMXFormatAttrPrint(attr, appendString, &out);
  return out;
}

MlirAttribute parseFormat(MlirContext ctx, const std::string &spelling) {
  DiagnosticCollector diagnostics(ctx);
  MlirAttribute attr = maseMXFormatAttrParse(
      ctx, mlirStringRefCreate(spelling.data(), spelling.size()));
  if (mlirAttributeIsNull(attr))
    throw nb::value_error(diagnostics.message().c_str());
  return attr;
}
} // namespace

NB_MODULE(_maseDialects, m) {
  auto mx = m.def_submodule("mx");

  mx.def(
      "_uint16_elements",
      [](MlirAttribute attr) {
        intptr_t n = maseDenseIntElementsGetNumElements(attr);
        if (n < 0)
          throw nb::type_error("expected a DenseIntElementsAttr");
        std::string buffer(n * sizeof(uint16_t), '\0');
        maseDenseIntElementsCopyZExt16(
            attr, reinterpret_cast<uint16_t *>(buffer.data()));
        return nb::bytes(buffer.data(), buffer.size());
      },
      nb::arg("attr"),
      "The elements of an integer dense attribute as little-endian uint16 "
      "bytes (zero-extended)");

  auto name = [](MlirStringRef s) { return std::string(s.data, s.length); };
  mx.attr("KERNEL_LOOP_ATTR") = name(maseMXKernelLoopAttrName());
  mx.attr("LAYER_NAMES_ATTR") = name(maseMXLayerNamesAttrName());

  mx.def("_is_quantizable", maseMXOperationIsQuantizable, nb::arg("op"),
         "Whether the op's operands take MX formats (QuantizableOpInterface)");
  mx.def(
      "_operand_roles",
      [](MlirOperation op) {
        return collect<int>(mlirOperationGetNumOperands(op), [&](intptr_t i) {
          return maseMXOperationGetOperandRole(op, i);
        });
      },
      nb::arg("op"),
      "The mx.OperandRole value of each operand of a quantizable op (-1: "
      "never quantized)");
  mx.def(
      "_quantizable_op_names",
      [](MlirContext ctx) {
        std::vector<std::string> names;
        maseMXGetQuantizableOpNames(
            ctx,
            [](MlirStringRef s, void *data) {
              static_cast<std::vector<std::string> *>(data)->emplace_back(
                  s.data, s.length);
            },
            &names);
        return names;
      },
      nb::arg("context").none() = nb::none(),
      "The names of the quantizable mx ops");
  mx.def(
      "_attribute_spelling",
      [](MlirAttribute attr) -> std::optional<std::string> {
        std::string out;
        if (!maseMXAttributeGetSpelling(attr, appendString, &out))
          return std::nullopt;
        return out;
      },
      nb::arg("attr"),
      "The spelling of an mx enum, format or accumulation attribute's value "
      "(None for any other attribute)");

  mlir_attribute_subclass(mx, "FormatAttr", maseAttributeIsAMXFormat)
      .def_classmethod(
          "get",
          [](const nb::object &cls, const std::string &spelling,
             MlirContext ctx) { return cls(parseFormat(ctx, spelling)); },
          nb::arg("cls"), nb::arg("spelling"),
          nb::arg("context").none() = nb::none(),
          "Parses a format spelling: mxint<M,E,B>, mxfp<eXmY,E,B> or an OCP "
          "short name (mxfp8_e4m3, mxfp4_e2m1, mxint8, ...)")
      .def_property_readonly("spelling", formatSpelling,
                             "The canonical spelling")
      .def_property_readonly("is_int", maseMXFormatAttrIsInt)
      .def_property_readonly("is_fixed", maseMXFormatAttrIsFixed)
      .def_property_readonly("fixed_fraction", maseMXFormatAttrGetFixedFraction)
      .def_property_readonly("element_bits", maseMXFormatAttrGetElementBits,
                             "Bits of one element code, sign included")
      .def_property_readonly("exponent_bits", maseMXFormatAttrGetExponentBits,
                             "Exponent bits of a float element (0 for mxint)")
      .def_property_readonly("fraction_bits", maseMXFormatAttrGetFractionBits,
                             "Bits below the element's binary point (M-2 "
                             "for mxint, Y for eXmY)")
      .def_property_readonly("element_bias", maseMXFormatAttrGetElementBias)
      .def_property_readonly("emin", maseMXFormatAttrGetElementMinExponent,
                             "Exponent of the smallest normal element")
      .def_property_readonly("emax_elem", maseMXFormatAttrGetElementMaxExponent,
                             "Exponent of the largest power of two of the "
                             "element")
      .def_property_readonly("specials", maseMXFormatAttrGetSpecials,
                             "Special codes, as mx.ElementSpecials")
      .def_property_readonly("max_code", maseMXFormatAttrGetMaxCode,
                             "Magnitude code of the largest finite element")
      .def_property_readonly("max_element", maseMXFormatAttrGetMaxElement)
      .def_property_readonly("element_step", maseMXFormatAttrGetElementStep,
                             "Smallest positive element value")
      .def_property_readonly("scale_bits", maseMXFormatAttrGetScaleBits)
      .def_property_readonly("scale_bias", maseMXFormatAttrGetScaleBias)
      .def_property_readonly("scale_min", maseMXFormatAttrGetScaleMin)
      .def_property_readonly("scale_max", maseMXFormatAttrGetScaleMax)
      .def_property_readonly("scale_nan_code", maseMXFormatAttrGetScaleNaNCode)
      .def_property_readonly("block_size", maseMXFormatAttrGetBlockSize)
      .def_property_readonly("bits_per_value", maseMXFormatAttrGetBitsPerValue)
      .def_property_readonly(
          "kernel_params",
          [](MlirAttribute attr) {
            std::string params(
                maseMXFormatAttrGetKernelParams(attr, nullptr, 0), '\0');
            maseMXFormatAttrGetKernelParams(attr, params.data(),
                                            intptr_t(params.size()));
            return nb::bytes(params.data(), params.size());
          },
          "The quantization kernels' parameters (MXQuantize.h's MXParams), "
          "as bytes for mase_mlir.numerics._fast of the same build");

  mlir_type_subclass(mx, "TensorType", maseTypeIsAMXTensor)
      .def_classmethod(
          "get",
          [](const nb::object &cls, const std::vector<int64_t> &shape,
             const nb::object &format, std::optional<unsigned> axis,
             MlirContext ctx) {
            MlirAttribute formatAttr =
                nb::isinstance<nb::str>(format)
                    ? parseFormat(ctx, nb::cast<std::string>(format))
                    : nb::cast<MlirAttribute>(format);
            unsigned blockedAxis =
                axis ? *axis : (shape.empty() ? 0 : shape.size() - 1);
            DiagnosticCollector diagnostics(ctx);
            MlirType type = maseMXTensorTypeGetChecked(
                mlirLocationUnknownGet(ctx), shape.size(), shape.data(),
                formatAttr, blockedAxis);
            if (mlirTypeIsNull(type))
              throw nb::value_error(diagnostics.message().c_str());
            return cls(type);
          },
          nb::arg("cls"), nb::arg("shape"), nb::arg("format"),
          nb::arg("axis").none() = nb::none(),
          nb::arg("context").none() = nb::none(),
          "An MX block tensor of `shape` in `format` (a spelling or a "
          "FormatAttr), blocked along `axis` (default: the last)")
      .def_property_readonly("shape",
                             [](MlirType type) {
                               return collect<int64_t>(
                                   maseMXTensorTypeGetRank(type),
                                   [&](intptr_t i) {
                                     return maseMXTensorTypeGetDimSize(type, i);
                                   });
                             })
      .def_property_readonly("rank", maseMXTensorTypeGetRank)
      .def_property_readonly("axis", maseMXTensorTypeGetAxis)
      .def_property_readonly("num_blocks", maseMXTensorTypeGetNumBlocks)
      .def_property_readonly("storage_bits", maseMXTensorTypeGetStorageBits,
                             "Bits of the tensor in memory, scales included")
      .def_property_readonly("format", [](MlirType type) {
        return maseMXTensorTypeGetFormat(type);
      });

  auto mxhw = m.def_submodule("mxhw");
  mlir_type_subclass(mxhw, "StreamType", maseTypeIsAMXHWStream)
      .def_classmethod(
          "get",
          [](const nb::object &cls, MlirType tensor) {
            if (!maseTypeIsAMXTensor(tensor))
              throw nb::value_error("a stream carries the blocks of an MX tensor");
            return cls(maseMXHWStreamTypeGet(tensor));
          },
          nb::arg("cls"), nb::arg("tensor"),
          "The stream of the blocks of an `!mx.tensor` type")
      .def_property_readonly(
          "tensor", [](MlirType type) { return maseMXHWStreamTypeGetTensor(type); },
          "The MX tensor whose blocks the stream carries");

  mxhw.def(
      "_stream_table",
      [](MlirOperation op) {
        intptr_t n = maseMXHWMapOpGetStreamTable(op, nullptr, nullptr, nullptr,
                                                 nullptr);
        if (n < 0)
          throw nb::value_error("expected an mxhw.view or mxhw.reblock with a "
                                "valid element map");
        std::string source(n * sizeof(int32_t), '\0');
        std::string block(n * sizeof(int64_t), '\0');
        std::string position(n * sizeof(int32_t), '\0');
        std::string negate(n, '\0');
        maseMXHWMapOpGetStreamTable(
            op, reinterpret_cast<int32_t *>(source.data()),
            reinterpret_cast<int64_t *>(block.data()),
            reinterpret_cast<int32_t *>(position.data()),
            reinterpret_cast<uint8_t *>(negate.data()));
        return nb::make_tuple(nb::bytes(source.data(), source.size()),
                              nb::bytes(block.data(), block.size()),
                              nb::bytes(position.data(), position.size()),
                              nb::bytes(negate.data(), negate.size()));
      },
      nb::arg("op"),
      "The element map of an mxhw.view or mxhw.reblock in the output's stream "
      "order: (source, block, position, negate) as little-endian int32, int64, "
      "int32 and uint8 bytes");
}
