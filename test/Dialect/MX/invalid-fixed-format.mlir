// RUN: mase-opt %s --split-input-file --verify-diagnostics

// expected-error @+1 {{fixed-point width must be in 2..16, got 1}}
func.func private @w1(!mx.tensor<4x16xfixed<1,0>>)

// -----

// expected-error @+1 {{fixed-point width must be in 2..16, got 17}}
func.func private @w17(!mx.tensor<4x16xfixed<17,0>>)

// -----

// expected-error @+1 {{fixed-point fraction bits must be in -64..64, got 65}}
func.func private @f65(!mx.tensor<4x16xfixed<8,65>>)

// -----

// expected-error @+1 {{fixed-point fraction bits must be in -64..64, got -65}}
func.func private @fm65(!mx.tensor<4x16xfixed<8,-65>>)

// -----

// expected-error @+1 {{fixed-point format 'fixed<8,5,32>' needs two parameters <width,fraction bits>}}
func.func private @three(!mx.tensor<4x32xfixed<8,5,32>>)

// -----

// expected-error @+1 {{expected ','}}
func.func private @one(!mx.tensor<4x32xfixed<8>>)

// -----

// expected-error @+1 {{MX format 'mxint<8,-3>' needs three parameters <element,scale bits,block size>}}
func.func private @mxint_two(!mx.tensor<4x32xmxint<8,-3>>)
