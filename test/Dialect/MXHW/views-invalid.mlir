// RUN: mase-opt %s -split-input-file -verify-diagnostics

func.func @gathers(%x: !mxhw.stream<!mx.tensor<16x16xmxint<8,8,16>>>) {
  // expected-error @+1 {{output block (0, 0) of the block grid 16x1 is not one source block: its elements come from several blocks (an mxhw.reblock re-quantizes them)}}
  %t = mxhw.view %x [#mxhw.piece<src 0, offsets [0, 0], sizes [16, 16], map (d0, d1) -> (d1, d0)>]
      : (!mxhw.stream<!mx.tensor<16x16xmxint<8,8,16>>>) -> !mxhw.stream<!mx.tensor<16x16xmxint<8,8,16>>>
  return
}

// -----

func.func @format(%x: !mxhw.stream<!mx.tensor<4x16xmxint<8,8,16>>>) {
  // expected-error @+1 {{moves blocks without rounding: source #0 is mxint<8,8,16> but the output is mxint<6,8,16> (a change of format is an mxhw.reblock)}}
  %t = mxhw.view %x [#mxhw.piece<src 0, offsets [0, 0], sizes [4, 16], map (d0, d1) -> (d0, d1)>]
      : (!mxhw.stream<!mx.tensor<4x16xmxint<8,8,16>>>) -> !mxhw.stream<!mx.tensor<4x16xmxint<6,8,16>>>
  return
}

// -----

func.func @outside(%x: !mxhw.stream<!mx.tensor<4x16xmxint<8,8,16>>>) {
  // expected-error @+1 {{piece #0 reads source element (4, 0) outside its shape 4x16 (output element (3, 0))}}
  %t = mxhw.view %x [#mxhw.piece<src 0, offsets [0, 0], sizes [4, 16], map (d0, d1) -> (d0 + 1, d1)>]
      : (!mxhw.stream<!mx.tensor<4x16xmxint<8,8,16>>>) -> !mxhw.stream<!mx.tensor<4x16xmxint<8,8,16>>>
  return
}

// -----

func.func @not_tiled(%x: !mxhw.stream<!mx.tensor<4x16xmxint<8,8,16>>>) {
  // expected-error @+1 {{no piece covers output element (2, 0)}}
  %t = mxhw.view %x [#mxhw.piece<src 0, offsets [0, 0], sizes [2, 16], map (d0, d1) -> (d0, d1)>]
      : (!mxhw.stream<!mx.tensor<4x16xmxint<8,8,16>>>) -> !mxhw.stream<!mx.tensor<4x16xmxint<8,8,16>>>
  return
}

// -----

func.func @source_index(%x: !mxhw.stream<!mx.tensor<4x16xmxint<8,8,16>>>) {
  // expected-error @+1 {{piece #0 reads source #1 of 1}}
  %t = mxhw.view %x [#mxhw.piece<src 1, offsets [0, 0], sizes [4, 16], map (d0, d1) -> (d0, d1)>]
      : (!mxhw.stream<!mx.tensor<4x16xmxint<8,8,16>>>) -> !mxhw.stream<!mx.tensor<4x16xmxint<8,8,16>>>
  return
}

// -----

func.func @piece_rank(%x: !mxhw.stream<!mx.tensor<4x16xmxint<8,8,16>>>) {
  // expected-error @+1 {{piece #0 maps to 3 coordinates, source #0 has rank 2}}
  %t = mxhw.view %x [#mxhw.piece<src 0, offsets [0, 0], sizes [4, 16], map (d0, d1) -> (d0, d1, 0)>]
      : (!mxhw.stream<!mx.tensor<4x16xmxint<8,8,16>>>) -> !mxhw.stream<!mx.tensor<4x16xmxint<8,8,16>>>
  return
}

// -----

func.func @past_output(%x: !mxhw.stream<!mx.tensor<4x16xmxint<8,8,16>>>) {
  // expected-error @+1 {{piece #0 runs past the output along axis 0 (4x16)}}
  %t = mxhw.view %x [#mxhw.piece<src 0, offsets [1, 0], sizes [4, 16], map (d0, d1) -> (d0 - 1, d1)>]
      : (!mxhw.stream<!mx.tensor<4x16xmxint<8,8,16>>>) -> !mxhw.stream<!mx.tensor<4x16xmxint<8,8,16>>>
  return
}

// -----

func.func @piece_syntax(%x: !mxhw.stream<!mx.tensor<4x16xmxint<8,8,16>>>) {
  // expected-error @+1 {{a piece needs as many offsets (1) as sizes (2)}}
  %t = mxhw.view %x [#mxhw.piece<src 0, offsets [0], sizes [4, 16], map (d0, d1) -> (d0, d1)>]
      : (!mxhw.stream<!mx.tensor<4x16xmxint<8,8,16>>>) -> !mxhw.stream<!mx.tensor<4x16xmxint<8,8,16>>>
  return
}

// -----

func.func @bmm_k(%a: !mxhw.stream<!mx.tensor<2x4x16xmxint<8,8,16>>>, %b: !mxhw.stream<!mx.tensor<2x8x32xmxint<8,8,16>>>) {
  // expected-error @+1 {{rhs [..., N, K] has K = 32, the lhs K = 16}}
  %y = mxhw.batch_matmul %a, %b : (!mxhw.stream<!mx.tensor<2x4x16xmxint<8,8,16>>>, !mxhw.stream<!mx.tensor<2x8x32xmxint<8,8,16>>>) -> !mxhw.stream<!mx.tensor<2x4x8xmxint<8,8,8>>>
  return
}

// -----

func.func @bmm_shape(%a: !mxhw.stream<!mx.tensor<2x4x16xmxint<8,8,16>>>, %b: !mxhw.stream<!mx.tensor<2x8x16xmxint<8,8,16>>>) {
  // expected-error @+1 {{output shape must be 2x4x8, got 2x4x16}}
  %y = mxhw.batch_matmul %a, %b : (!mxhw.stream<!mx.tensor<2x4x16xmxint<8,8,16>>>, !mxhw.stream<!mx.tensor<2x8x16xmxint<8,8,16>>>) -> !mxhw.stream<!mx.tensor<2x4x16xmxint<8,8,16>>>
  return
}

// -----

func.func @bmm_groups(%a: !mxhw.stream<!mx.tensor<3x4x16xmxint<8,8,16>>>, %b: !mxhw.stream<!mx.tensor<2x8x16xmxint<8,8,16>>>) {
  // expected-error @+1 {{the rhs's 2 batches cannot serve the lhs's 3}}
  %y = mxhw.batch_matmul %a, %b : (!mxhw.stream<!mx.tensor<3x4x16xmxint<8,8,16>>>, !mxhw.stream<!mx.tensor<2x8x16xmxint<8,8,16>>>) -> !mxhw.stream<!mx.tensor<3x4x8xmxint<8,8,8>>>
  return
}

// -----

func.func @bmm_blocks(%a: !mxhw.stream<!mx.tensor<2x4x24xmxint<8,8,8>>>, %b: !mxhw.stream<!mx.tensor<2x8x24xmxint<8,8,6>>>) {
  // expected-error @+1 {{block sizes along K must divide one another, got mxint<8,8,8> and mxint<8,8,6>}}
  %y = mxhw.batch_matmul %a, %b : (!mxhw.stream<!mx.tensor<2x4x24xmxint<8,8,8>>>, !mxhw.stream<!mx.tensor<2x8x24xmxint<8,8,6>>>) -> !mxhw.stream<!mx.tensor<2x4x8xmxint<8,8,8>>>
  return
}

// -----

func.func @bmm_axis(%a: !mxhw.stream<!mx.tensor<2x16x16xmxint<8,8,16>, axis = 1>>, %b: !mxhw.stream<!mx.tensor<2x8x16xmxint<8,8,16>>>) {
  // expected-error @+1 {{lhs must be blocked along its last axis, got '!mx.tensor<2x16x16xmxint<8,8,16>, axis = 1>'}}
  %y = mxhw.batch_matmul %a, %b : (!mxhw.stream<!mx.tensor<2x16x16xmxint<8,8,16>, axis = 1>>, !mxhw.stream<!mx.tensor<2x8x16xmxint<8,8,16>>>) -> !mxhw.stream<!mx.tensor<2x16x8xmxint<8,8,8>>>
  return
}
