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


ROLES = """
func.func @f(%x: tensor<4x64xf32>, %w: tensor<32x64xf32>, %g: tensor<64xf32>, %m: tensor<4x64xi1>,
             %ids: tensor<4xi64>) -> tensor<4x64xi1> {
  %l = mx.linear %x, %w : (tensor<4x64xf32>, tensor<32x64xf32>) -> tensor<4x32xf32>
  %n = mx.layer_norm %x bias %g {eps = 1.0e-5 : f64} : (tensor<4x64xf32>, tensor<64xf32>) -> tensor<4x64xf32>
  %s = mx.softmax %x, mask = %m {axis = 1 : i64} : tensor<4x64xf32>, tensor<4x64xi1> -> tensor<4x64xf32>
  %e = mx.embedding %ids, %x : (tensor<4xi64>, tensor<4x64xf32>) -> tensor<4x64xf32>
  %c = mx.cmp %n, %s {predicate = #mx.predicate<le>} : (tensor<4x64xf32>, tensor<4x64xf32>) -> tensor<4x64xi1>
  return %c : tensor<4x64xi1>
}
"""


def _ops(module):
    return list(module.body.operations[0].regions[0].blocks[0].operations)


def test_operand_roles_and_quantizable_ops(ctx):
    module = ir.Module.parse(ROLES)
    ops = _ops(module)
    linear, norm, softmax, embedding, cmp = ops[:5]

    def names(op):
        return [None if r is None else str(r) for r in mx.operand_roles(op)]

    assert names(linear) == ["input", "weight"]
    assert names(norm) == ["input", "bias"]  # from the operand segments
    assert names(softmax) == ["input", None]
    assert names(embedding) == [None, "weight"]
    assert not mx.is_quantizable(cmp)
    with pytest.raises(ValueError, match="mx.cmp is not a quantizable mx op"):
        mx.operand_roles(cmp)
    assert [str(r) for r in mx.OperandRole] == ["input", "weight", "bias", "output"]
    quantizable = mx.quantizable_ops()
    assert {"mx.linear", "mx.gelu", "mx.add", "mx.reduce_mean", "mx.embedding"} <= quantizable
    assert not quantizable & {"mx.cmp", "mx.select", "mx.reshape", "mx.quantize", "mx.take"}


def test_attribute_spelling(ctx):
    module = ir.Module.parse(ROLES)
    ops = _ops(module)
    assert mx.attribute_spelling(ops[4].attributes["predicate"]) == "le"
    assert mx.attribute_spelling(ir.Attribute.parse("#mx.approximation<tanh>")) == "tanh"
    assert mx.attribute_spelling(ir.Attribute.parse("#mx.rounding<nearest>")) == "nearest"
    assert mx.attribute_spelling(ir.Attribute.parse("#mx.acc<bounded<4>>")) == "bounded<4>"
    assert mx.attribute_spelling(mx.FormatAttr.get("mxint<8,8,32>")) == "mxint8"
    assert mx.attribute_spelling(ir.StringAttr.get("lt")) is None


def test_enum_attributes_from_python(ctx):
    module = ir.Module.create()
    f32 = ir.RankedTensorType.get([4], ir.F32Type.get())
    i1 = ir.RankedTensorType.get([4], ir.IntegerType.get_signless(1))
    with ir.InsertionPoint(module.body):

        @func.FuncOp.from_py_func(f32, f32)
        def f(a, b):
            g = mx.GeluOp(f32, a, approximate=mx.GeluApproximation.Tanh).result
            return mx.CmpOp(i1, g, b, mx.CmpPredicate.gt).result

    assert module.operation.verify()
    text = str(module)
    assert "mx.gelu %arg0 {approximate = #mx.approximation<tanh>}" in text
    assert "{predicate = #mx.predicate<gt>}" in text
