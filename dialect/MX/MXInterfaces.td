//===- MXInterfaces.td - mx dialect interfaces --------------*- tablegen -*-===//

#ifndef MASE_MX_INTERFACES
#define MASE_MX_INTERFACES

include "mlir/IR/OpBase.td"

def MX_QuantizableOpInterface : OpInterface<"QuantizableOpInterface"> {
  let cppNamespace = "::mase::mx";
  let description = [{
    A compute op whose operands and result can be given MX formats. Each
    operand has a role (`input`, `weight` or `bias`; empty when the operand is
    never quantized) and an axis along which it is blocked when quantized;
    the result has the role `output`. Precision configurations refer to these
    roles (mx-assign-precision).
  }];
  let methods = [
    InterfaceMethod<
      "The role of operand `index`: \"input\", \"weight\", \"bias\" or \"\"",
      "::llvm::StringRef", "getOperandRole", (ins "unsigned":$index), [{}],
      [{ return "input"; }]>,
    InterfaceMethod<
      "The axis along which operand `index` is blocked when quantized",
      "int64_t", "getOperandBlockAxis", (ins "unsigned":$index), [{}],
      [{
        auto shape = ::mase::mx::getStaticShape(
            $_op->getOperand(index).getType());
        return shape ? int64_t(shape->size()) - 1 : -1;
      }]>
  ];
}

#endif // MASE_MX_INTERFACES
