// RUN: mase-opt %s --split-input-file --verify-diagnostics --mx-assign-precision=config=%S/Inputs/input-mxint8.json

// A zero-size tensor cannot hold MX blocks: a located error, never an MX type
// built from the shape.
func.func @zero_rows(%x: tensor<0x64xf32>) -> tensor<0x64xf32> {
  // expected-error @+1 {{'mx.relu' op input of shape 0x64 cannot be mxint8: MX tensor dimensions must be static and positive}}
  %0 = mx.relu %x {name = "act"} : tensor<0x64xf32> -> tensor<0x64xf32>
  return %0 : tensor<0x64xf32>
}

// -----

func.func @zero_blocked(%x: tensor<4x0xf32>) -> tensor<4x0xf32> {
  // expected-error @+1 {{'mx.relu' op input of shape 4x0 cannot be mxint8: MX tensor dimensions must be static and positive}}
  %0 = mx.relu %x {name = "act"} : tensor<4x0xf32> -> tensor<4x0xf32>
  return %0 : tensor<4x0xf32>
}
