//===- Passes.td - mase-mlir conversion passes -------------*- tablegen -*-===//
//
// The hardware lowering: an MX-typed function becomes a dataflow graph of
// operator units (the mxhw dialect), which the Python back end turns into
// generated hardware modules connected by a CIRCT handshake netlist.
//
//===----------------------------------------------------------------------===//

#ifndef MASE_CONVERSION_PASSES
#define MASE_CONVERSION_PASSES

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// The dataflow hardware lowering: mx -> mxhw
//===----------------------------------------------------------------------===//

def MXHWOutline : Pass<"mx-hw-outline", "::mlir::ModuleOp"> {
  let summary = "Split a model into what the host runs and what the hardware runs";
  let description = [{
    Moves the hardware part of the module's function into its own function
    `<func>_hw` (arguments and results: the values that cross, constants copied
    in) and calls it from where it was.

    Without `layer`, the host keeps the edges: before the hardware, embedding
    gathers, integer and boolean ops (token ids, attention masks) and the
    quantization of float inputs; after it, dequantization and float ops on the
    results. Everything else is the hardware part; a host-only op that needs a
    value of the hardware part is an error naming it. With `layer=PREFIX`, the
    hardware part is the ops named `PREFIX` or `PREFIX.*` (one layer, as the
    frontend names ops after their module path) and the unnamed quantize,
    dequantize and cast ops fed only by them. A kernel loop (`mx.kernel_loop`)
    is one op of the hardware part: its body runs every layer. With
    `loop-body`, the hardware part is instead the body of the function's kernel
    loop, called once per layer: the non-looped baseline, where the host takes
    each layer's weights out of the stacked constants (`mx.take`) and hands
    them to the call.
  }];
  let options = [
    Option<"layer", "layer", "std::string", /*default=*/"\"\"",
           "Build only the ops named after this module path (e.g. encoder.layer.0)">,
    Option<"loopBody", "loop-body", "bool", /*default=*/"false",
           "Build the kernel loop's body, called once per layer (the baseline)">,
  ];
  let dependentDialects = ["::mase::mx::MXDialect", "::mlir::func::FuncDialect",
                           "::mlir::scf::SCFDialect"];
}

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
                           "::mlir::func::FuncDialect", "::mlir::scf::SCFDialect"];
}

#endif // MASE_CONVERSION_PASSES
