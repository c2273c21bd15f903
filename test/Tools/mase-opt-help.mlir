// RUN: mase-opt --help | FileCheck %s
// RUN: mase-opt --show-dialects | FileCheck %s --check-prefix=DIALECTS

// CHECK: mase-mlir optimizer driver
// CHECK: --mx-fold-constants
// DIALECTS-DAG: arith
// DIALECTS-DAG: cf
// DIALECTS-DAG: func
// DIALECTS-DAG: linalg
// DIALECTS-DAG: math
// DIALECTS-DAG: memref
// DIALECTS-DAG: mx
// DIALECTS-DAG: scf
// DIALECTS-DAG: tensor
