#ifndef MASE_PYTHON_MXHW_OPS
#define MASE_PYTHON_MXHW_OPS

include "MXHW/MXHWOps.td"

#endif
