"""Format spelling, properties and errors."""

from __future__ import annotations

import pytest

from mase_mlir import numerics as mxn

Format = mxn.Format


@pytest.mark.parametrize(
    ("text", "canonical", "bits"),
    [
        ("mxfp4_e2m1", "mxfp4_e2m1", 4.25),
        ("mxfp8_e4m3", "mxfp8_e4m3", 8.25),
        ("mxfp8_e5m2", "mxfp8_e5m2", 8.25),
        ("mxfp6_e3m2", "mxfp6_e3m2", 6.25),
        ("mxfp6_e2m3", "mxfp6_e2m3", 6.25),
        ("mxint8", "mxint8", 8.25),
        ("mxint<4,8,16>", "mxint<4,8,16>", 4.5),
        ("mxint<4, 8, 32>", "mxint<4,8,32>", 4.25),
        ("mxint<8,8,32>", "mxint8", 8.25),
        ("mxfp<e2m1,8,32>", "mxfp4_e2m1", 4.25),
        ("mxfp<e4m3, 6, 16>", "mxfp<e4m3,6,16>", 8.375),
    ],
)
def test_parse_and_print(text: str, canonical: str, bits: float) -> None:
    fmt = Format.parse(text)
    assert str(fmt) == canonical
    assert Format.parse(str(fmt)) == fmt
    assert fmt.bits_per_value == bits
    assert hash(fmt) == hash(Format.parse(canonical))


def test_properties() -> None:
    f = Format.parse("mxfp8_e4m3")
    assert (f.element_bits, f.scale_bits, f.block_size, f.is_int) == (8, 8, 32, False)
    assert (f.emax_elem, f.max_element, f.element_step) == (8, 448.0, 2.0**-9)
    assert (f.scale_min, f.scale_max, f.scale_nan_code) == (-127, 127, 255)
    table = {
        "e5m2": (15, 57344.0, 2.0**-16),
        "e3m2": (4, 28.0, 0.0625),
        "e2m3": (2, 7.5, 0.125),
        "e2m1": (2, 6.0, 0.5),
    }
    for elem, (emax, mx, step) in table.items():
        f = Format(elem)
        assert (f.emax_elem, f.max_element, f.element_step) == (emax, mx, step)
    i = Format.parse("mxint8")
    assert (i.is_int, i.emax_elem, i.max_element, i.element_step) == (True, 0, 127 / 64, 2.0**-6)
    assert Format.parse("mxint<5,4,8>").scale_min == -7


@pytest.mark.parametrize(
    "bad",
    [
        "mxfp9",
        "mxint<1,8,32>",
        "mxint<17,8,32>",
        "mxint<4,9,32>",
        "mxint<4,0,32>",
        "mxint<4,8,0>",
        "mxfp<e3m3,8,32>",
        "mxint<4,8>",
        "",
        "MXINT8x",
    ],
)
def test_parse_errors(bad: str) -> None:
    with pytest.raises(ValueError):
        Format.parse(bad)


def test_f32_is_not_a_format() -> None:
    with pytest.raises(ValueError, match="unquantized"):
        Format.parse("f32")
    assert Format.parse_or_none("f32") is None
    assert Format.parse_or_none(None) is None
    assert Format.parse_or_none("mxint8") == Format("int8")
