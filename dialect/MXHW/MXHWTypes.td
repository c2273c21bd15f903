//===- MXHWTypes.td - mxhw dialect types --------------------*- tablegen -*-===//

#ifndef MASE_MXHW_TYPES
#define MASE_MXHW_TYPES

include "MXHW/MXHWDialect.td"
include "mlir/IR/AttrTypeBase.td"

def MXHW_StreamType : TypeDef<MXHW_Dialect, "Stream"> {
  let mnemonic = "stream";
  let summary = "A stream of the blocks of an MX tensor";
  let description = [{
    The blocks of `tensor` (an `!mx.tensor`) in row-major order of its block
    grid, one block (its element codes and its scale code) per transfer.

    ```mlir
    !mxhw.stream<!mx.tensor<4x64xmxint8>>    // 8 transfers of 264 bits
    ```
  }];
  let parameters = (ins "::mase::mx::MXTensorType":$tensor);
  let assemblyFormat = "`<` qualified($tensor) `>`";
  let builders = [
    TypeBuilderWithInferredContext<(ins "::mase::mx::MXTensorType":$tensor), [{
      return $_get(tensor.getContext(), tensor);
    }]>
  ];
  let extraClassDeclaration = [{
    /// Transfers of one pass over the tensor: its number of blocks.
    int64_t getNumBeats() const { return getTensor().getNumBlocks(); }
  }];
}

#endif // MASE_MXHW_TYPES
