//===- ViewOps.td - mxhw data movement units -----------------*- tablegen -*-===//
//
// Reshape, transpose, slice, concat, broadcast and negation of MX streams as
// one element map (a list of #mxhw.piece). Included by MXHWOps.td.
//
//===----------------------------------------------------------------------===//

class MXHW_MapOp<string mnemonic> : MXHW_UnitOp<mnemonic> {
  let arguments = !con((ins Variadic<MXHW_Stream>:$sources,
                            TypedArrayAttrBase<MXHW_PieceAttr, "pieces">:$pieces),
                       nameArg);
  let results = (outs MXHW_Stream:$output);
  let assemblyFormat = [{
    $sources $pieces attr-dict `:` functional-type($sources, results)
  }];
  let hasVerifier = 1;
}

def MXHW_ViewOp : MXHW_MapOp<"view"> {
  let summary = "Pure data movement: every output block is one source block";
  let description = [{
    The output is the element map `pieces` of the sources (each output element
    is one source element, possibly negated) and every output block holds the
    elements of one source block, in the same format, in some order: the
    values, scales and codes move, nothing is rounded. The hardware is free
    when the blocks keep their stream order and their element order (a reshape
    that keeps the blocking); otherwise a reorder unit writes the sources into
    a buffer in stream order and reads the blocks in the output's order.

    ```mlir
    // Head split: [T, H*D] -> [H, T, D], blocks of 16 along D.
    %q = mxhw.view %x [#mxhw.piece<src 0, offsets [0, 0, 0], sizes [4, 16, 16],
                                   map (d0, d1, d2) -> (d1, d0 * 16 + d2)>]
        : (!mxhw.stream<!mx.tensor<16x64xmxint<8,8,16>>>)
        -> !mxhw.stream<!mx.tensor<4x16x16xmxint<8,8,16>>>
    ```
  }];
  let hasCanonicalizer = 1;
  let hasFolder = 1;
}

def MXHW_ReblockOp : MXHW_MapOp<"reblock"> {
  let summary = "Data movement that re-quantizes: output blocks gather source elements";
  let description = [{
    The element map of `mxhw.view`, where an output block gathers elements of
    several source blocks, or the format changes: the exact values are rounded
    into the output's blocks (`numerics.quantize` of the dequantized gather,
    round half to even). For example the value of attention blocked along the
    tokens for P.V, from a projection that blocks it along the head dimension.
  }];
  let hasCanonicalizer = 1;
}
