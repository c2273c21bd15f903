//===- MXHWDialect.td - The mxhw dialect --------------------*- tablegen -*-===//
//
// Dataflow hardware: MX operator units connected by streams of blocks.
//
//===----------------------------------------------------------------------===//

#ifndef MASE_MXHW_DIALECT
#define MASE_MXHW_DIALECT

include "mlir/IR/OpBase.td"

def MXHW_Dialect : Dialect {
  let name = "mxhw";
  let cppNamespace = "::mase::mxhw";
  let summary = "MX dataflow hardware: operator units connected by block streams";
  let description = [{
    The hardware form of an MX-typed function: every compute op is one operator
    unit, every MX value that flows between units is a stream of its blocks
    (`!mxhw.stream`), constants stay `!mx.tensor` values that live in memories.
    A unit is a statically scheduled pipeline; units talk only through streams,
    so a chain of units runs concurrently (a dataflow pipeline). The back end
    (`mase_mlir.backend`) generates one hardware module per unit from the op's
    operand and result types and attributes, and connects them with CIRCT's
    handshake dialect.

    Stream order: the blocks of the tensor in row-major order of its block grid
    (the shape with the blocked axis divided by the block size), one block per
    transfer.
  }];
  let dependentDialects = ["::mase::mx::MXDialect"];
  let useDefaultTypePrinterParser = 1;
  let useDefaultAttributePrinterParser = 1;
  let extraClassDeclaration = [{
    /// Adds the attributes (defined with their methods in ViewOps.cpp).
    void registerAttributes();
  }];
}

class MXHW_Op<string mnemonic, list<Trait> traits = []>
    : Op<MXHW_Dialect, mnemonic, traits>;

#endif // MASE_MXHW_DIALECT
