//===- MXDialect.td - The mx dialect -----------------------*- tablegen -*-===//
//
// Microscaling (MX) block formats as first-class MLIR types.
//
//===----------------------------------------------------------------------===//

#ifndef MASE_MX_DIALECT
#define MASE_MX_DIALECT

include "mlir/IR/OpBase.td"

def MX_Dialect : Dialect {
  let name = "mx";
  let cppNamespace = "::mase::mx";
  let summary = "Microscaling (MX) shared-exponent block formats for LLM inference";
  let description = [{
    The `mx` dialect represents tensors whose values are stored in microscaling
    blocks: `B` elements (small integers or tiny floats) sharing one
    power-of-two scale. The format and the blocked axis are part of the type,
    so a tensor type alone determines its bit layout in memory and on the wire
    (one hardware beat is one block). Compute ops accept float tensors and MX
    tensors; an MX result means the op's output is quantized to that format.
  }];
  let useDefaultTypePrinterParser = 1;
  let useDefaultAttributePrinterParser = 1;
  let hasConstantMaterializer = 1;
  // The discardable attributes passes attach: mx.kernel_loop, mx.layer_names.
  let hasOperationAttrVerify = 1;
  let extraClassDeclaration = [{
    void registerTypes();
    void registerAttributes();

    /// Marks the scf.for of a kernel loop (a unit attribute; mx-kernel-loop).
    static constexpr ::llvm::StringLiteral kKernelLoopAttrName = "mx.kernel_loop";
    /// On an op of a kernel loop's body: the op's name in every layer, one
    /// string per iteration (mx-kernel-loop; mx-unroll-loops restores them).
    static constexpr ::llvm::StringLiteral kLayerNamesAttrName = "mx.layer_names";
  }];
}

class MX_Op<string mnemonic, list<Trait> traits = []>
    : Op<MX_Dialect, mnemonic, traits>;

#endif // MASE_MX_DIALECT
