"""Search spaces: parsing with clear errors, resolution against a model, exact configs."""

from __future__ import annotations

import json

import pytest

from mase_mlir import passes
from mase_mlir.numerics import Format
from mase_mlir.report import build_report
from mase_mlir.search.evaluate import probe_ops
from mase_mlir.search.space import Space, SpaceError, config_of, load_space, parse_space

SPACE = {
    "default": {"input": ["mxint8", "mxint<4,8,16>"], "weight": ["mxint<4,8,32>", "mxint8"]},
    "ops": {"*.mlp.*": {"weight": ["mxint<2,8,16>", "mxint<3,8,16>", "f32"]},
            "*.self_attn.*_proj": {"weight": "mxint<6,8,32>"},
            "model.embed_tokens": {"weight": ["mxint<4,8,32>", "mxint<4,8,16>"],
                                   "group": "glob"}},
}


def resolve(module, data):
    entries = parse_space(data)
    formats: dict = {}
    for entry in entries:
        for role, candidates in entry.roles.items():
            formats.setdefault(role, []).extend(candidates)
    ops, applicable = probe_ops(module, formats)
    return Space(entries, ops, applicable)


def test_space_resolves_against_the_model(llama_module):
    space = resolve(llama_module, SPACE)
    by_name = {p.name: p for p in space.parameters}
    # Later entries override earlier ones; fixed choices are not parameters.
    assert by_name["model.layers.0.mlp.down_proj:weight"].choices == (
        "mxint<2,8,16>", "mxint<3,8,16>", "f32")
    assert "model.layers.0.self_attn.q_proj:weight" not in by_name
    assert space.fixed["model.layers.0.self_attn.q_proj"]["weight"] == "mxint<6,8,32>"
    assert by_name["model.embed_tokens:weight"].ops == ("model.embed_tokens",)
    # Attention scores (head size 16) take B=32 as one block of 16, so both candidates
    # apply; rotate-half's negation of halves of 8 likewise.
    assert by_name["model.layers.0.self_attn.attention.scores:input"].choices == (
        "mxint8", "mxint<4,8,16>")
    assert by_name["model.layers.0.self_attn.neg:input"].choices == ("mxint8", "mxint<4,8,16>")
    assert by_name["model.layers.0.mlp.act_fn:input"].choices == ("mxint8", "mxint<4,8,16>")
    assert space.digest() == resolve(llama_module, SPACE).digest()


def _shortened(got: str, fmt: str) -> bool:
    """``got`` is ``fmt`` in a shorter block."""
    if "f32" in (got, fmt):
        return False
    g, f = Format.parse(got), Format.parse(fmt)
    return (g.element, g.scale_bits) == (f.element, f.scale_bits) and g.block_size < f.block_size


def test_config_applies_exactly_the_assignment(llama_module):
    space = resolve(llama_module, SPACE)
    values = {p.name: p.choices[i % len(p.choices)] for i, p in enumerate(space.parameters)}
    assignment = space.assignment(values)
    config = space.config(values)
    module = llama_module.operation.clone()
    passes.assign_precision(module, config, diagnostics=[])
    for row in build_report(module)["ops"]:
        for role, fmt in assignment[row["name"]].items():
            got = row[role].split("/")
            # A dimension shorter than the block holds the format in one shorter block.
            shorter = any(_shortened(g, fmt) for g in got)
            assert fmt in got or shorter or (fmt != "f32" and got == ["f32"]), (row["name"], role)
    # The config is compact: per role the most common format is the default.
    assert len(config["ops"]) < len(assignment)
    assert json.loads(json.dumps(config)) == config


def test_glob_group_shares_one_choice(llama_module):
    data = {"default": {"weight": ["mxint<4,8,16>", "mxint8"]},
            "ops": {"model.layers.*.mlp.*": {"weight": ["mxint<2,8,16>", "mxint8"],
                                             "group": "glob"}}}
    space = resolve(llama_module, data)
    shared = [p for p in space.parameters if p.name == "model.layers.*.mlp.*:weight"]
    assert len(shared) == 1 and len(shared[0].ops) == 6  # gate, up, down in 2 layers


def test_exact_names_are_escaped():
    config = config_of({"a*b": {"weight": "mxint8"}, "c[1]": {"weight": "mxint<4,8,32>"},
                        "d": {"weight": "mxint8"}})
    assert config == {"default": {"weight": "mxint8"},
                      "ops": {"c\\[1\\]": {"weight": "mxint<4,8,32>"}}}


@pytest.mark.parametrize(("data", "message"), [
    ([], "must be a JSON object"),
    ({"defaults": {}}, "unknown key.*'defaults'"),
    ({"default": {"wieght": ["mxint8"]}}, "unknown role 'wieght'"),
    ({"default": {"input": ["mxint9000"]}}, r"default\.input: unknown MX format 'mxint9000'"),
    ({"default": {"input": ["mxint<1,8,32>"]}}, "element width must be in 2..16"),
    ({"default": {"input": []}}, "non-empty list"),
    ({"default": {"input": [8]}}, "a format must be a string, got 8"),
    ({"default": {}}, "sets no role"),
    ({"group": "layer", "default": {"input": "mxint8"}}, "'group' must be one of op, glob"),
    ({"ops": {"x": {"input": ["mxint8"], "group": 3}}}, "'group' must be one of"),
    ({"ops": []}, "'ops' must map"),
])
def test_malformed_spaces(data, message):
    with pytest.raises(SpaceError, match=message):
        parse_space(data)


def test_glob_matching_nothing_is_an_error(llama_module):
    with pytest.raises(SpaceError, match=r"ops\['\*.attention.self.\*'\] matches no op"):
        resolve(llama_module, {"default": {"input": ["mxint8", "mxint<4,8,16>"]},
                               "ops": {"*.attention.self.*": {"input": "mxint8"}}})


def test_space_files(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"default": {"input": ["mxint8",]}}')
    with pytest.raises(SpaceError, match=r"bad.json:1:\d+: malformed JSON"):
        load_space(bad)
    twice = tmp_path / "twice.json"
    twice.write_text('{"default": {"input": "mxint8"}, "default": {}}')
    with pytest.raises(SpaceError, match="duplicate key.*'default'"):
        load_space(twice)
    with pytest.raises(SpaceError, match="cannot read search space"):
        load_space(tmp_path / "missing.json")


def test_ranked_starting_points(llama_module):
    space = resolve(llama_module, SPACE)
    ranked = space.ranked()
    assert len(ranked) == max(len(p.choices) for p in space.parameters)
    assert all(v == p.choices[0] for p in space.parameters for v in [ranked[0][p.name]])
    assert all(ranked[-1][p.name] == p.choices[-1] for p in space.parameters)


def test_warm_starts_begin_at_the_baselines(llama_module):
    space = resolve(llama_module, SPACE)
    by_name = {p.name: p for p in space.parameters}
    down = "model.layers.0.mlp.down_proj:weight"
    # A baseline format that is a choice is taken; one that is not, the nearest in bits
    # (MXFP4 E2M1, 4.25 bits: MXInt4 B=32 at 4.25, not B=16 at 4.5 or MXInt2/3).
    near = space.nearest({"input": "mxint8", "weight": "mxfp4_e2m1"})
    assert near[down] == "mxint<3,8,16>"  # 3.5 bits: the nearest of 2.5, 3.5 and 32
    assert near["model.embed_tokens:weight"] == "mxint<4,8,32>"
    assert all(near[p.name] == "mxint8" for p in space.parameters if p.role == "input")
    cheaper = space.cheaper(near, "weight")
    assert cheaper[down] == "mxint<2,8,16>"
    assert cheaper["model.embed_tokens:weight"] == "mxint<4,8,32>"  # nothing lower
    assert space.cheaper(cheaper, "weight") is None
    starts = space.starts([{"input": "mxint8", "weight": "mxfp4_e2m1"}])
    assert starts[:2] == [near, cheaper]
    assert space.ranked()[0] in starts
    keys = [json.dumps(v, sort_keys=True) for v in starts]
    assert len(keys) == len(set(keys))
    assert all(v[name] in by_name[name].choices for v in starts for name in v)


def test_group_only_entries_share_earlier_candidates(llama_module):
    data = {"default": {"weight": ["mxint<4,8,16>", "mxint8"]},
            "ops": {"*.mlp.down_proj": {"group": "glob"}}}
    shared = [p for p in resolve(llama_module, data).parameters
              if p.name == "*.mlp.down_proj:weight"]
    assert len(shared) == 1 and shared[0].choices == ("mxint<4,8,16>", "mxint8")
    assert len(shared[0].ops) == 2
    clash = {"default": {"weight": ["mxint<4,8,16>", "mxint8"]},
             "ops": {"*.down_proj": {"weight": ["mxint8", "mxint<2,8,16>"]},
                     "*.mlp.*": {"group": "glob"}}}
    with pytest.raises(SpaceError, match="shares one choice of 'weight' between ops with"):
        resolve(llama_module, clash)
