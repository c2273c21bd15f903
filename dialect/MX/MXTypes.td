//===- MXTypes.td - mx dialect types ------------------------*- tablegen -*-===//

#ifndef MASE_MX_TYPES
#define MASE_MX_TYPES

include "MX/MXAttrs.td"
include "mlir/IR/AttrTypeBase.td"

def MX_TensorType : TypeDef<MX_Dialect, "MXTensor"> {
  let mnemonic = "tensor";
  let summary = "A tensor stored in MX blocks along one axis";
  let description = [{
    A statically shaped tensor whose values are stored in MX blocks of the
    given format. Blocks run along `axis` (the last one unless written):
    `shape[axis]` must be a multiple of the block size `B`. The shape is the
    logical shape; the scales form the block grid, the shape with
    `shape[axis]` divided by `B`. Memory layout: blocks in row-major order of
    the block grid, each block `B` element codes then one scale code; one
    block is one hardware beat.

    ```mlir
    !mx.tensor<4x64xmxint<4,8,16>>           // 4x4 blocks of 16 along axis 1
    !mx.tensor<64x8xmxfp8_e4m3, axis = 0>    // 2x8 blocks of 32 along axis 0
    ```
  }];
  let parameters = (ins
    ArrayRefParameter<"int64_t">:$shape,
    "::mase::mx::FormatAttr":$format,
    "unsigned":$axis
  );
  let builders = [
    TypeBuilderWithInferredContext<(ins "::llvm::ArrayRef<int64_t>":$shape,
                                        "::mase::mx::FormatAttr":$format), [{
      return $_get(format.getContext(), shape, format,
                   shape.empty() ? 0u : unsigned(shape.size() - 1));
    }]>,
    TypeBuilderWithInferredContext<(ins "::llvm::ArrayRef<int64_t>":$shape,
                                        "::mase::mx::FormatAttr":$format,
                                        "unsigned":$axis), [{
      return $_get(format.getContext(), shape, format, axis);
    }]>
  ];
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    int64_t getRank() const { return getShape().size(); }
    int64_t getNumElements() const;
    /// The shape of the scale tensor: shape[axis] / blockSize.
    ::llvm::SmallVector<int64_t> getScaleShape() const;
    int64_t getNumBlocks() const;
    /// Bits of the whole tensor in memory, scales included.
    int64_t getStorageBits() const;
  }];
}

#endif // MASE_MX_TYPES
