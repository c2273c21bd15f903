//===- ElementwiseOps.td - mxhw elementwise units ------------*- tablegen -*-===//
//
// Element-serial units: one element per cycle through a function, re-quantized
// into the result's blocks. Included by MXHWOps.td.
//
//===----------------------------------------------------------------------===//

def MXHW_ReluOp : MXHW_UnitOp<"relu"> {
  let summary = "Elementwise max(x, 0), re-quantized into the result format";
  let arguments = !con((ins MXHW_Stream:$input), nameArg);
  let results = (outs MXHW_Stream:$output);
  let assemblyFormat = [{
    $input attr-dict `:` qualified(type($input)) `->` qualified(type($output))
  }];
  let hasVerifier = 1;
}
