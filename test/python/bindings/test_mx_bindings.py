"""mase_mlir.ir / passmanager / dialects.mx: the project's own MLIR bindings."""

from __future__ import annotations

import pytest

from mase_mlir import ir, passmanager
from mase_mlir.dialects import func, mx

LINEAR = """
func.func @f(%x: tensor<4x64xf32>, %w: tensor<32x64xf32>) -> !mx.tensor<4x32xmxint<4,8,16>> {
  %q = mx.quantize %x : tensor<4x64xf32> -> !mx.tensor<4x64xmxint<4,8,16>>
  %y = mx.linear %q, %w {name = "fc"} : (!mx.tensor<4x64xmxint<4,8,16>>, tensor<32x64xf32>) -> !mx.tensor<4x32xmxint<4,8,16>>
  return %y : !mx.tensor<4x32xmxint<4,8,16>>
}
"""


@pytest.fixture
def ctx():
    with ir.Context() as context, ir.Location.unknown():
        yield context


@pytest.mark.parametrize(
    ("spelling", "canonical", "bits", "block"),
    [
        ("mxfp8_e4m3", "mxfp8_e4m3", 8, 32),
        ("mxfp<e4m3,8,32>", "mxfp8_e4m3", 8, 32),
        ("mxfp6_e2m3", "mxfp6_e2m3", 6, 32),
        ("mxfp4_e2m1", "mxfp4_e2m1", 4, 32),
        ("mxint8", "mxint8", 8, 32),
        ("mxint<8, 8, 32>", "mxint8", 8, 32),
        ("mxint<4,8,16>", "mxint<4,8,16>", 4, 16),
        ("mxfp<e2m1,6,16>", "mxfp<e2m1,6,16>", 4, 16),
    ],
)
def test_format_attr(ctx, spelling, canonical, bits, block):
    fmt = mx.FormatAttr.get(spelling)
    assert fmt.spelling == canonical
    assert fmt.element_bits == bits
    assert fmt.block_size == block
    assert str(fmt) == f"#mx.format<{canonical}>"
    assert mx.FormatAttr.isinstance(ir.Attribute.parse(str(fmt)))


# (spelling, fraction bits, element bias, emin, emax_elem, specials, max code, max element,
#  element step, scale bias, scale min, scale max, NaN code): OCP MX v1.0 and the MXInt family.
FACTS = [
    ("mxfp8_e5m2", 2, 15, -14, 15, "ieee", 0x7B, 57344.0, 2.0**-16, 127, -127, 127, 255),
    ("mxfp8_e4m3", 3, 7, -6, 8, "fn", 0x7E, 448.0, 2.0**-9, 127, -127, 127, 255),
    ("mxfp6_e3m2", 2, 3, -2, 4, "finite", 0x1F, 28.0, 0.0625, 127, -127, 127, 255),
    ("mxfp6_e2m3", 3, 1, 0, 2, "finite", 0x1F, 7.5, 0.125, 127, -127, 127, 255),
    ("mxfp4_e2m1", 1, 1, 0, 2, "finite", 0x7, 6.0, 0.5, 127, -127, 127, 255),
    ("mxint8", 6, 0, 0, 0, "finite", 127, 127 / 64, 2.0**-6, 127, -127, 127, 255),
    ("mxint<4,5,16>", 2, 0, 0, 0, "finite", 7, 7 / 4, 0.25, 15, -15, 15, 31),
    ("mxint<2,1,1>", 0, 0, 0, 0, "finite", 1, 1.0, 1.0, 0, 0, 0, 1),
]


@pytest.mark.parametrize("facts", FACTS, ids=[f[0] for f in FACTS])
def test_format_facts(ctx, facts):
    spelling, *expected = facts
    fmt = mx.FormatAttr.get(spelling)
    got = [fmt.fraction_bits, fmt.element_bias, fmt.emin, fmt.emax_elem,
           str(mx.ElementSpecials(fmt.specials)), fmt.max_code, fmt.max_element,
           fmt.element_step, fmt.scale_bias, fmt.scale_min, fmt.scale_max, fmt.scale_nan_code]
    assert got == expected
    assert fmt.element_bits == (1 + fmt.exponent_bits + fmt.fraction_bits if not fmt.is_int
                                else fmt.fraction_bits + 2)
    assert fmt.bits_per_value == fmt.element_bits + fmt.scale_bits / fmt.block_size


def test_tensor_storage(ctx):
    t = mx.TensorType.get([4, 64], "mxint<4,8,16>")
    assert t.num_blocks == 16
    assert t.storage_bits == 4 * 64 * 4 + 16 * 8


@pytest.mark.parametrize(
    ("spelling", "message"),
    [
        ("mxint<0,8,16>", "mxint element width must be in 2..16, got 0"),
        ("mxint<17,8,16>", "mxint element width must be in 2..16, got 17"),
        ("mxint<4,0,16>", "MX scale width must be in 1..8 bits, got 0"),
        ("mxint<4,8,0>", "MX block size must be at least 1, got 0"),
        ("mxfp<e3m3,8,32>", "unknown MX float element 'e3m3'"),
        ("fp32", "unknown MX format 'fp32'"),
    ],
)
def test_format_attr_errors(ctx, spelling, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        mx.FormatAttr.get(spelling)


def test_tensor_type(ctx):
    t = mx.TensorType.get([4, 64], "mxint<4,8,16>")
    assert str(t) == "!mx.tensor<4x64xmxint<4,8,16>>"
    assert t.shape == [4, 64] and t.rank == 2 and t.axis == 1
    assert mx.FormatAttr(t.format).spelling == "mxint<4,8,16>"
    t0 = mx.TensorType.get([64, 3], mx.FormatAttr.get("mxint8"), axis=0)
    assert str(t0) == "!mx.tensor<64x3xmxint8, axis = 0>"
    assert ir.Type.parse(str(t0)) == t0


def test_tensor_type_errors(ctx):
    with pytest.raises(ValueError, match="blocked dimension 63 .axis 1. is not a multiple"):
        mx.TensorType.get([4, 63], "mxint<4,8,16>")
    with pytest.raises(ValueError, match="blocked axis 2 is out of range"):
        mx.TensorType.get([4, 64], "mxint8", axis=2)


def test_parse_walk_and_pass(ctx):
    module = ir.Module.parse(LINEAR)
    fn = module.body.operations[0]
    assert isinstance(fn, func.FuncOp)
    ops = list(fn.regions[0].blocks[0].operations)
    assert [op.operation.name for op in ops] == ["mx.quantize", "mx.linear", "func.return"]
    linear = ops[1]
    assert isinstance(linear, mx.LinearOp)
    assert ir.StringAttr(linear.attributes["name"]).value == "fc"
    pm = passmanager.PassManager.parse("builtin.module(mx-fold-constants,canonicalize,cse)")
    pm.run(module.operation)
    assert module.operation.verify()


def test_build_ops_from_python(ctx):
    module = ir.Module.create()
    f32 = ir.F32Type.get()
    x_type = ir.RankedTensorType.get([4, 32], f32)
    q_type = mx.TensorType.get([4, 32], "mxfp4_e2m1")
    with ir.InsertionPoint(module.body):

        @func.FuncOp.from_py_func(x_type)
        def roundtrip(x):
            q = mx.QuantizeOp(q_type, x).result
            return mx.DequantizeOp(x_type, q).result

    assert module.operation.verify()
    text = str(module)
    assert "mx.quantize %arg0 : tensor<4x32xf32> -> !mx.tensor<4x32xmxfp4_e2m1>" in text
    assert str(ir.Module.parse(text)) == text


def test_invalid_ir_reports_location(ctx):
    bad = LINEAR.replace("tensor<32x64xf32>)", "tensor<32x48xf32>)").replace(
        "%w: tensor<32x64xf32>", "%w: tensor<32x48xf32>"
    )
    with pytest.raises(ir.MLIRError) as err:
        ir.Module.parse(bad)
    assert "input features 64 do not match weight [N, K] = 32x48" in str(err.value)
    assert "loc(" in str(err.value) or "4:" in str(err.value)
