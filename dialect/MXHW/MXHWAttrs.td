//===- MXHWAttrs.td - mxhw dialect attributes ----------------*- tablegen -*-===//

#ifndef MASE_MXHW_ATTRS
#define MASE_MXHW_ATTRS

include "MXHW/MXHWDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"

def MXHW_PieceAttr : AttrDef<MXHW_Dialect, "Piece"> {
  let mnemonic = "piece";
  let summary = "One piece of a view's element map";
  let description = [{
    The output elements in the box `offsets`..`offsets + sizes` of a view read
    source `src`: output element `i` (absolute coordinates) is element `map(i)`
    of the source, negated when `negate` is present. The pieces of a view tile
    its output.

    ```mlir
    // rotate_half of one 16-element head: -x[8:16] then x[0:8]
    #mxhw.piece<src 0, offsets [0, 0], sizes [4, 8], map (d0, d1) -> (d0, d1 + 8), negate>
    #mxhw.piece<src 0, offsets [0, 8], sizes [4, 8], map (d0, d1) -> (d0, d1 - 8)>
    ```
  }];
  let parameters = (ins "unsigned":$source, ArrayRefParameter<"int64_t">:$offsets,
                        ArrayRefParameter<"int64_t">:$sizes, "::mlir::AffineMap":$map,
                        "bool":$negate);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Output elements of the piece.
    int64_t getNumElements() const;
  }];
}

#endif // MASE_MXHW_ATTRS
