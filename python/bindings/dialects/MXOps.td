//===- MXOps.td - Python bindings of the mx dialect ---------*- tablegen -*-===//

#ifndef MASE_PYTHON_MX_OPS
#define MASE_PYTHON_MX_OPS

include "MX/MXOps.td"

#endif // MASE_PYTHON_MX_OPS
