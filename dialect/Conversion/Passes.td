//===- Passes.td - mase-mlir conversion passes -------------*- tablegen -*-===//
//
// The hardware lowering: mx -> integer block arithmetic -> cf level, the
// input of CIRCT's handshake flow. The `mx-to-hw-ir` pipeline that chains
// these passes is registered in lib/Conversion/MXToHWIR/MXToHWIRPipeline.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef MASE_CONVERSION_PASSES
#define MASE_CONVERSION_PASSES

include "mlir/Pass/PassBase.td"

def MXLowerToHWLoops : Pass<"mx-lower-to-hw-loops", "::mlir::ModuleOp"> {
  let summary = "Lower MX-typed functions to integer block arithmetic on memories";
  let description = [{
    Rewrites every `func.func` whose signature carries `!mx.tensor` values
    into a function on memories, integers only (no division):

    * every MX tensor argument and result becomes a `memref<N x iW>`
      argument, one block per word: `B` element codes (element `i` at bits
      `[i*M, (i+1)*M)`) then the `E`-bit scale code (omitted when `E = 1`,
      whose only valid scale code is 0: plain fixed point);
    * `mx.linear` becomes one flat `scf.for` over (row, output block, output
      element, K block) with one block dot product (`B` integer MACs and
      one exponent add) per iteration, an exact fixed-point accumulator with
      dynamic alignment (its LSB is the smallest exponent of a non-zero
      block product, as in `mase_mlir.numerics.blockmath`), a shift register
      holding one output block, and the final rounding into the output MX
      format (max-abs via leading-zero counts, round half to even,
      saturation);
    * `mx.relu` becomes a loop over blocks that re-quantizes exactly;
    * intermediate tensors become `memref.alloc` memories.

    Argument attributes `mase.mem` describe each memory (name, role, format,
    shape, words, word bits) for the backend and the testbench.
  }];
  let options = [
    Option<"accGuardBits", "acc-guard-bits", "unsigned", /*default=*/"16",
           "Accumulator bits beyond one block product and the K-block carries "
           "(room for scale differences between blocks)">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::func::FuncDialect",
    "::mlir::memref::MemRefDialect", "::mlir::scf::SCFDialect"
  ];
}

def MXHWLegalize : Pass<"mx-hw-legalize", "::mlir::ModuleOp"> {
  let summary = "Prepare cf-level integer IR for CIRCT's handshake lowering";
  let description = [{
    Checks that the IR is in the subset CIRCT's `lower-cf-to-handshake` and
    `lower-handshake-to-hw` handle (func/cf/arith/memref, integers only, no
    division, no `index` arithmetic beyond `arith.index_cast` into memory
    subscripts, one-dimensional memories) and reports anything else as an
    error at its location. Sinks every `arith.constant` into the blocks that
    use it, so that constants are not carried around loops as tokens.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

//===----------------------------------------------------------------------===//
// The dataflow hardware lowering: mx -> mxhw
//===----------------------------------------------------------------------===//

def MXHWBoundary : Pass<"mx-hw-boundary", "::mlir::func::FuncOp"> {
  let summary = "Make a function's boundary MX-typed for the hardware";
  let description = [{
    A float model with a precision assignment quantizes its inputs and
    dequantizes its results; the hardware has no floats. This pass moves both
    to the host: an argument whose every use is an `mx.quantize` to one MX type
    becomes an argument of that type (the host quantizes it), and a result
    produced by `mx.dequantize` becomes the MX value (the host dequantizes it).
    Other arguments and results are left as they are (the lowering to `mxhw`
    then says what it cannot handle).
  }];
  let dependentDialects = ["::mase::mx::MXDialect"];
}

def ConvertMXToMXHW : Pass<"convert-mx-to-mxhw", "::mlir::ModuleOp"> {
  let summary = "Lower MX-typed functions to dataflow hardware units (mxhw)";
  let description = [{
    Every MX-typed `func.func` becomes a dataflow graph: each compute op one
    `mxhw` unit op, each MX value flowing between units a
    `!mxhw.stream` of its blocks (the type converter), constants (`mx.constant`,
    and arguments used only as weights or biases) stay `!mx.tensor` values the
    units read from memories. An op without a hardware unit, a float value, or
    a non-constant weight is an error at the op's location that names it and
    lists the supported ops.
  }];
  let dependentDialects = ["::mase::mx::MXDialect", "::mase::mxhw::MXHWDialect",
                           "::mlir::func::FuncDialect"];
}

#endif // MASE_CONVERSION_PASSES
