//===- Passes.td - mase-mlir transform passes --------------*- tablegen -*-===//
//
// Rewrites of mx IR: constant folding, raising elementary ops, precision
// assignment, kernel looping and its inverse.
//
//===----------------------------------------------------------------------===//

#ifndef MASE_TRANSFORMS_PASSES
#define MASE_TRANSFORMS_PASSES

include "mlir/Pass/PassBase.td"

def MXFoldConstants : Pass<"mx-fold-constants"> {
  let summary = "Fold quantization of constants into mx.constant";
  let description = [{
    Folds `mx.quantize`, `mx.cast` and `mx.reshape` of constants, so that
    quantized weights are stored as scale codes and element codes.
  }];
  let dependentDialects = ["::mase::mx::MXDialect"];
}

def MXRaisePrimitives : Pass<"mx-raise-primitives"> {
  let summary = "Recognize RMSNorm and tanh-GELU written as elementary ops";
  let description = [{
    Models often write RMSNorm (`w * (x * rsqrt(mean(x^2) + eps))`, Llama) and
    the tanh GELU (`0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))`, GPT-2's
    `gelu_new`) out of elementary ops. This pass replaces them with
    `mx.rms_norm` and `mx.gelu {approximate = #mx.approximation<tanh>}`, so
    that precision configs see a norm with a weight and the hardware gets one
    fixed-point function. The raised op is named after the module (the common prefix of
    the matched ops' names). Only single-use intermediate values are fused.
  }];
  let dependentDialects = ["::mase::mx::MXDialect"];
}

def MXKernelLoop : Pass<"mx-kernel-loop", "::mlir::ModuleOp"> {
  let summary = "Fold chains of identical layers into one loop over stacked weights";
  let description = [{
    In every `func.func` of the module, finds every maximal chain of at least
    two structurally identical layers
    (same ops, attributes, types and formats; only the weight constants
    differ; layer i+1 consumes layer i's output), without relying on names.
    Each chain becomes

    ```mlir
    %out = scf.for %i = %c0 to %cN step %c1 iter_args(%h = %init) -> (T) {
      %w = mx.take %stacked_w, %i : (tensor<Nx...>, index) -> tensor<...>
      ... one layer, reading values defined before the loop directly ...
      scf.yield %next : T
    } {mx.kernel_loop}
    ```

    Weights that differ between layers are stacked along a new leading axis
    and read with `mx.take`; weights equal in every layer stay as they are;
    the hidden state (one or more values) is carried in `iter_args`. Body
    ops keep layer 0's `name` and list every layer's name in
    `mx.layer_names`, so mx-unroll-loops restores the original.

    Policies: `split` (default) loops each maximal run of identical layers;
    `unify` also treats layers whose MXInt formats differ only in element
    width as identical and widens every position to the widest width among
    the layers (exact for constants; reported as extra bits).
    Remarks (and `report=FILE`, JSON, one entry per loop of every function)
    say what was looped and what stopped a longer chain.
  }];
  let options = [
    Option<"policy", "policy", "std::string", /*default=*/"\"split\"",
           "split: loop each run of identical layers; unify: widen formats so "
           "that layers differing only in MXInt width loop together">,
    Option<"reportPath", "report", "std::string", /*default=*/"\"\"",
           "Write a JSON report of the loops of every function to this file">,
    Option<"minLayers", "min-layers", "unsigned", /*default=*/"2",
           "Shortest chain worth a loop">,
    Option<"minOps", "min-ops", "unsigned", /*default=*/"2",
           "Fewest ops a layer must have (a single op repeated, like two "
           "embedding adds, is not a layer unless this is 1)">
  ];
  let dependentDialects = ["::mase::mx::MXDialect", "::mlir::arith::ArithDialect",
                           "::mlir::scf::SCFDialect"];
}

def MXUnrollLoops : Pass<"mx-unroll-loops", "::mlir::func::FuncOp"> {
  let summary = "Unroll kernel loops back into one copy of the layer per iteration";
  let description = [{
    The inverse of mx-kernel-loop: every `scf.for` marked `mx.kernel_loop`
    becomes its layers again, with each layer's own weights (folded
    `mx.take` slices) and names (from `mx.layer_names`).
  }];
  let dependentDialects = ["::mase::mx::MXDialect", "::mlir::arith::ArithDialect"];
}

def MXAssignPrecision : Pass<"mx-assign-precision", "::mlir::ModuleOp"> {
  let summary = "Apply a per-op, per-operand MX format configuration";
  let description = [{
    Reads a JSON configuration

    ```json
    {
      "default": {"input": "mxint<8,8,32>", "weight": "mxint<8,8,32>", "output": "f32"},
      "ops": {
        "*.mlp.*": {"weight": "mxint<4,8,16>"},
        "layers.0.self_attn.*": {"input": "mxfp8_e4m3"}
      }
    }
    ```

    and gives every role of every compute op its format: `ops` keys are
    fnmatch-style globs over the ops' `name` attributes, applied in file
    order after `default` (later entries override earlier ones). Roles:
    `input` (activation operands), `weight` (the weight of mx.linear, the
    right operand of matmuls is an input), `bias`, `output`; `f32` means
    unquantized. Operands get `mx.quantize` (constants fold into
    `mx.constant`) or `mx.cast` where formats change; results get MX types and
    `mx.dequantize` where a consumer wants f32. An operand whose blocked
    dimension is not a multiple of the block size stays f32 (with a warning).
    Values that already have an MX type get the configured format the same
    way (an `mx.cast`; a result's users keep its old type through one).

    Errors: an unknown format, an unknown role, a role that no op matched by
    the entry has, a glob that matches nothing (a warning with
    `allow-unmatched=true`), a missing or malformed file, a key given twice in
    one object, a value of zero size given a format.
  }];
  let options = [
    Option<"configPath", "config", "std::string", /*default=*/"\"\"",
           "JSON precision configuration file">,
    Option<"allowUnmatched", "allow-unmatched", "bool", /*default=*/"false",
           "Warn instead of failing when an ops glob matches no op">
  ];
  let dependentDialects = ["::mase::mx::MXDialect", "::mlir::arith::ArithDialect"];
}

#endif // MASE_TRANSFORMS_PASSES
