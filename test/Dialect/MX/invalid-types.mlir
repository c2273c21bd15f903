// RUN: mase-opt %s -split-input-file -verify-diagnostics

// expected-error @+1 {{mxint element width must be in 2..16, got 0}}
func.func private @m0(!mx.tensor<4x16xmxint<0,8,16>>)

// -----

// expected-error @+1 {{mxint element width must be in 2..16, got 17}}
func.func private @m17(!mx.tensor<4x16xmxint<17,8,16>>)

// -----

// expected-error @+1 {{MX scale width must be in 1..8 bits, got 0}}
func.func private @e0(!mx.tensor<4x16xmxint<4,0,16>>)

// -----

// expected-error @+1 {{MX scale width must be in 1..8 bits, got 9}}
func.func private @e9(!mx.tensor<4x16xmxint<4,9,16>>)

// -----

// expected-error @+1 {{MX block size must be at least 1, got 0}}
func.func private @b0(!mx.tensor<4x16xmxint<4,8,0>>)

// -----

// expected-error @+1 {{unknown MX format 'mxfoo'}}
func.func private @unknown(!mx.tensor<4x16xmxfoo>)

// -----

// expected-error @+1 {{unknown MX float element 'e3m3'}}
func.func private @element(!mx.tensor<4x16xmxfp<e3m3,8,16>>)

// -----

// expected-error @+1 {{blocked dimension 63 (axis 1) is not a multiple of the block size 16 of mxint<4,8,16>}}
func.func private @divide(!mx.tensor<4x63xmxint<4,8,16>>)

// -----

// expected-error @+1 {{blocked dimension 4 (axis 0) is not a multiple of the block size 32 of mxint8}}
func.func private @divide_axis(!mx.tensor<4x64xmxint8, axis = 0>)

// -----

// expected-error @+1 {{blocked axis 2 is out of range for rank 2}}
func.func private @axis(!mx.tensor<4x64xmxint8, axis = 2>)

// -----

// expected-error @+1 {{MX tensor must have rank >= 1}}
func.func private @rank0(!mx.tensor<mxint8>)

// -----

// expected-error @+1 {{unknown MX format 'mxint'}}
func.func private @attr() attributes {f = #mx.format<mxint>}

// -----

// expected-error @+1 {{accumulator guard bits must be in 0..64, got 65}}
func.func private @guard() attributes {acc = #mx.acc<bounded<65>>}

// -----

// expected-error @+1 {{unknown accumulation 'floor' (expected 'exact' or 'bounded<G>')}}
func.func private @kind() attributes {acc = #mx.acc<floor>}

// -----

// Sizes in bits must fit in 64 bits.
// expected-error @+1 {{MX tensor of shape 9223372036854775807x32 has more than 2^57 elements}}
func.func private @huge(!mx.tensor<9223372036854775807x32xmxint8>)
