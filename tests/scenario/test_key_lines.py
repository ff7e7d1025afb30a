"""``key_lines`` / ``line_of``: the line of a field path in tricky TOML."""

from __future__ import annotations

import tomllib
from textwrap import dedent

import hypothesis.strategies as st
from hypothesis import given, settings

from sim.scenario.errors import ScenarioError, dotted, key_lines, line_of


def _lines(text: str) -> dict:
    tomllib.loads(text)  # every example is valid TOML
    return key_lines(text)


def test_top_level_keys_comments_and_blank_lines():
    text = dedent(
        """\
        # a comment with name = "not a key"
        name = "x"   # trailing comment

        days = 28
          seed = 3
        """
    )
    assert _lines(text) == {("name",): 2, ("days",): 4, ("seed",): 5}


def test_tables_and_their_implicit_parents():
    text = dedent(
        """\
        [hub]  # the county hub [not a header]
        sort_min = 45.0

        [vehicle_types.micro_van]
        capacity_kg = 700.0

        [ vehicle_types . light_truck ]
        capacity_kg = 4000.0
        """
    )
    lines = _lines(text)
    assert lines[("hub",)] == 1
    assert lines[("hub", "sort_min")] == 2
    assert lines[("vehicle_types",)] == 4  # where the parent first appears
    assert lines[("vehicle_types", "micro_van", "capacity_kg")] == 5
    assert lines[("vehicle_types", "light_truck")] == 7
    assert lines[("vehicle_types", "light_truck", "capacity_kg")] == 8


def test_dotted_keys_define_their_parents():
    text = dedent(
        """\
        vehicle_types.micro_van.capacity_kg = -5
        vehicle_types.micro_van.capacity_m3 = 2.5

        [network]
        a . b = 1
        """
    )
    lines = _lines(text)
    assert lines[("vehicle_types",)] == 1
    assert lines[("vehicle_types", "micro_van")] == 1
    assert lines[("vehicle_types", "micro_van", "capacity_m3")] == 2
    assert lines[("network", "a")] == 5
    assert lines[("network", "a", "b")] == 5


def test_quoted_keys():
    text = dedent(
        """\
        [parcels.fixed_per_village]
        "v.dotted" = 1
        'lit.eral' = 2
        "say \\"hi\\"" = 3
        "a = b" = 4
        [ "odd.table" . 'x' ]
        k = 5
        """
    )
    lines = _lines(text)
    base = ("parcels", "fixed_per_village")
    assert lines[(*base, "v.dotted")] == 2
    assert lines[(*base, "lit.eral")] == 3
    assert lines[(*base, 'say "hi"')] == 4
    assert lines[(*base, "a = b")] == 5
    assert lines[("odd.table", "x", "k")] == 7


def test_arrays_of_tables_and_their_sub_tables():
    text = dedent(
        """\
        [[carriers]]
        name = "postal"

        [[carriers]]
        name = "express_a"
        [carriers.limits]
        max_kg = 3

        [[carriers]]
        name = "express_b"

        [hub]
        node = "hub"
        """
    )
    lines = _lines(text)
    assert lines[("carriers",)] == 1
    assert lines[("carriers", 0)] == 1
    assert lines[("carriers", 0, "name")] == 2
    assert lines[("carriers", 1)] == 4
    assert lines[("carriers", 1, "name")] == 5
    assert lines[("carriers", 1, "limits", "max_kg")] == 7
    assert lines[("carriers", 2, "name")] == 10
    assert lines[("hub", "node")] == 13
    assert ("carriers", "limits") not in lines


def test_nested_arrays_of_tables_restart_per_entry():
    text = dedent(
        """\
        [[lines]]
        name = "A"
        [[lines.trips]]
        at = "07:00"
        [[lines.trips]]
        at = "12:00"
        [[lines]]
        name = "B"
        [[lines.trips]]
        at = "08:00"
        """
    )
    lines = _lines(text)
    assert lines[("lines", 0, "trips", 0, "at")] == 4
    assert lines[("lines", 0, "trips", 1, "at")] == 6
    assert lines[("lines", 1, "name")] == 8
    assert lines[("lines", 1, "trips", 0, "at")] == 10


def test_multi_line_arrays_number_their_elements_and_hide_their_contents():
    text = dedent(
        """\
        [stations]
        dispatch_times = [
            "09:00",   # first wave [x]
            # a comment line
            "14:00", "16:00",
            "x = 1",
        ]
        nested = [
            [1, 2],
            [3,
             4],
        ]
        tables = [ { a = 1 },
                   { a = 2 } ]
        sort_min = 30.0
        """
    )
    lines = _lines(text)
    base = ("stations", "dispatch_times")
    assert lines[base] == 2
    assert [lines[(*base, k)] for k in range(4)] == [3, 5, 5, 6]
    assert lines[("stations", "nested", 0)] == 9
    assert lines[("stations", "nested", 1)] == 10
    assert lines[("stations", "tables", 1)] == 14
    assert lines[("stations", "sort_min")] == 15
    assert ("x",) not in lines and ("stations", "x") not in lines
    assert ("1, 2",) not in lines


def test_multi_line_strings_hide_their_contents():
    text = "\n".join(
        [
            'description = """',
            "[hub]",
            "days = 5",
            "a ''' string inside\"\"\"",
            "name = 'x'",
            "notes = '''",
            'not = "a key" """',
            "'''",
            'quotes = """a""""',
            'escaped = """ends with \\""" still inside',
            "[operations]",
            '"""',
            "days = 3",
            "",
        ]
    )
    lines = _lines(text)
    assert lines == {
        ("description",): 1,
        ("name",): 5,
        ("notes",): 6,
        ("quotes",): 9,
        ("escaped",): 10,
        ("days",): 13,
    }


def test_inline_tables_fall_back_to_their_key():
    text = "[vehicle_types]\nmicro_van = { capacity_kg = -5, capacity_m3 = 2.5 }\n"
    tomllib.loads(text)
    assert line_of(text, ("vehicle_types", "micro_van", "capacity_kg")) == 2


def test_lines_are_counted_as_toml_counts_them():
    """Only newline ends a line: a line separator in a comment, CRLF endings."""
    text = "# caf\u2028e\r\nname = 'x'\r\n[hub]\r\nnode = 'h'\r\n"
    tomllib.loads(text)
    assert key_lines(text) == {("name",): 2, ("hub",): 3, ("hub", "node"): 4}


def test_line_of_falls_back_to_the_nearest_parent():
    text = "[parcels]\npromotion_dates = ['06-18']\n\n[[carriers]]\nname = 'a'\n"
    assert line_of(text, ("parcels", "promotion_dates", 0)) == 2
    assert line_of(text, ("parcels", "weight_sigma")) == 1
    assert line_of(text, ("carriers", 0, "share")) == 4
    assert line_of(text, ("carriers",)) == 4
    assert line_of(text, ("carriers", 3, "share")) == 4
    assert line_of(text, ("hub", "node")) is None
    assert line_of(None, ("parcels",)) is None
    assert line_of("", ("parcels",)) is None


def test_key_lines_returns_a_copy():
    text = "a = 1\n"
    key_lines(text)[("a",)] = 99
    assert key_lines(text)[("a",)] == 1
    assert line_of(text, ("a",)) == 1


def test_dotted():
    assert dotted(("carriers", 1, "share")) == "carriers.1.share"
    assert dotted(()) == ""


def test_scenario_error_rendering():
    one = ScenarioError("bad", path="s.toml", field="days", line=3, expected="an int", found="'x'")
    assert str(one) == "s.toml:3: days: bad\n    expected: an int\n    found:    'x'"
    assert one.problems == [one]
    assert str(ScenarioError("oops")) == "<scenario>: oops"
    two = ScenarioError("bad", path="s.toml", problems=[one, ScenarioError("worse", path="s.toml")])
    assert str(two).splitlines()[0] == "2 problems in the scenario:"
    assert "s.toml: worse" in str(two)
    assert isinstance(two, ValueError)


# -- property: random documents with known lines ----------------------------------------

_bare = st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True).filter(
    lambda k: k not in ("hub", "carriers", "network")
)
_key = st.one_of(
    _bare,
    _bare.map(lambda k: f"{k}.x"),  # needs quoting: holds a dot
    st.sampled_from(["a b", "x=y", "[t]", "#h"]),
)
_VALUES = [
    ["1"],
    ['"a # not [a] comment = 2"'],
    ["'lit'"],
    ["[1, 2, 3]"],
    ["{ a = 1, b = [2] }"],
    ["[", '  "x = 1",', "  # comment", "  [1, 2],", "]"],
    ['"""', "[hub]", "key = 1", '"""'],
    ["'''", '"""', "[[carriers]]", "'''"],
]


def _quote(key: str) -> str:
    return key if key.replace("_", "").isalnum() else '"' + key + '"'


@st.composite
def documents(draw):
    """A TOML text and the line of every key in it."""
    out: list[str] = []
    expected: dict = {}
    array_counts: dict = {}

    def keys(prefix: tuple) -> None:
        for key in draw(st.lists(_key, max_size=4, unique=True)):
            value = draw(st.sampled_from(_VALUES))
            if draw(st.booleans()):
                out.append("")
            if draw(st.booleans()):
                out.append("# " + draw(st.sampled_from(["k = 1", "[hub]", "plain"])))
            expected[(*prefix, key)] = len(out) + 1
            out.append(f"{_quote(key)} = {value[0]}")
            out.extend(value[1:])

    keys(())
    for name in draw(st.lists(st.sampled_from(["hub", "carriers", "network.files"]), max_size=6)):
        if name == "carriers":
            index = array_counts.get(name, 0)
            array_counts[name] = index + 1
            prefix: tuple = (name, index)
            out.append("[[carriers]]")
        else:
            parts = tuple(name.split("."))
            if parts in expected:
                continue  # a table is defined once
            prefix = parts
            out.append(f"[{name}]")
        expected.setdefault(prefix, len(out))
        keys(prefix)
    return "\n".join(out) + "\n", expected


@settings(max_examples=150, deadline=None)
@given(documents())
def test_random_documents(doc):
    text, expected = doc
    tomllib.loads(text)
    lines = key_lines(text)
    for path, line in expected.items():
        assert lines[path] == line, (path, text)
    # Nothing else is taken for a key: no line inside a multi-line string or array.
    parents = {p[:k] for p in expected for k in range(1, len(p) + 1)}
    for path in lines:
        is_element = isinstance(path[-1], int) and path[:-1] in expected
        assert path in parents or is_element, (path, text)
