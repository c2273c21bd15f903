//===- MXInterfaces.td - mx dialect interfaces --------------*- tablegen -*-===//

#ifndef MASE_MX_INTERFACES
#define MASE_MX_INTERFACES

include "MX/MXEnums.td"
include "mlir/IR/OpBase.td"

def MX_QuantizableOpInterface : OpInterface<"QuantizableOpInterface"> {
  let cppNamespace = "::mase::mx";
  let description = [{
    A compute op whose operands and result can be given MX formats. Each
    operand has a role (`input`, `weight` or `bias`; none when the operand is
    never quantized) and an axis along which it is blocked when quantized;
    the result has the role `output`. Precision configurations refer to these
    roles (mx-assign-precision).

    An op declares the role of each of its ODS operand groups in
    `kOperandRoles` (see MX_QuantizableOp in MXOps.td); `getOperandRole` maps
    an operand to its group through the op's operand segments.
  }];
  let methods = [
    InterfaceMethod<
      "The role of operand `index`; std::nullopt when it is never quantized",
      "std::optional<::mase::mx::OperandRole>", "getOperandRole",
      (ins "unsigned":$index), [{}],
      [{
        for (unsigned group = 0;
             group < std::size(ConcreteOp::kOperandRoles); ++group) {
          auto [start, length] = $_op.getODSOperandIndexAndLength(group);
          if (index >= start && index < start + length)
            return ConcreteOp::kOperandRoles[group];
        }
        return std::nullopt;
      }]>,
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
