"""YAML is read within limits: no alias bomb, runaway file, device or FIFO can hang drillsim or
eat its memory; each is refused with FILE:LINE:COL and a sentence. Merge keys work as in
yaml.safe_load."""

from __future__ import annotations

import os
import time

import pytest
import yaml

from drillsim.cli import main
from drillsim.simulator.errors import InputError
from drillsim.simulator.formats.yamlsrc import MAX_BYTES, MAX_DEPTH, load, load_text


def refused(text: str) -> str:
    with pytest.raises(InputError) as exc:
        load_text(text, "f.yaml")
    (problem,) = exc.value.problems
    return str(problem)


def test_alias_bomb_is_refused_fast():
    # each level nine times the last: nine levels expand to 387 million values
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    start = time.perf_counter()
    message = refused("\n".join(lines) + "\n")
    assert time.perf_counter() - start < 10
    assert "expands to more than 100,000 values" in message
    assert message.startswith("f.yaml:")


def test_alias_that_contains_itself_is_refused():
    assert refused("a: &a [1, *a]\n") == "f.yaml:1:4: an alias refers to a value that contains it"
    assert "contains it" in refused("a: &m {k: 1, self: *m}\n")


def test_nesting_deeper_than_the_limit_is_refused():
    assert "nested more than 64 levels" in refused("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    block = "\n".join("  " * i + f"k{i}:" for i in range(MAX_DEPTH + 5)) + " 1\n"
    assert "nested more than 64 levels" in refused(block)
    # a million brackets: still a message, not a crashed stack
    assert refused("[" * 1_000_000).startswith("f.yaml:1:")


def test_a_file_with_too_many_keys_is_refused():
    text = "".join(f"k{i}: {i}\n" for i in range(150_000))
    assert "more than 100,000 values" in refused(text)


@pytest.mark.parametrize(
    "text",
    ["n: " + "9" * 5000, "n: .inf", "n: -.inf", "n: .nan", "n: 1.0e+300", "n: 10000000000000000"],
)
def test_numbers_out_of_range_are_refused(text):
    assert refused(text).startswith("f.yaml:1:4: number out of range: ")


def test_merge_keys_work_like_safe_load():
    text = (
        "base: &b {x: 1, y: 2}\n"
        "one:\n  <<: *b\n  y: 3\n"
        "many:\n  <<: [{p: 1}, {p: 2, q: 3}]\n  r: 4\n"
    )
    data, pos = load_text(text, "f.yaml")
    assert data == yaml.safe_load(text)
    assert pos.at(("one", "x")) == ("f.yaml", 1, 14)  # where the merged value was written
    assert pos.at(("one", "y")) == ("f.yaml", 4, 6)
    assert "`<<` merges a mapping" in refused("a:\n  <<: 5\n")


def test_a_file_larger_than_the_limit_is_refused_unread(tmp_path):
    big = tmp_path / "big.yaml"
    with open(big, "wb") as fh:
        fh.truncate(MAX_BYTES + 1)  # sparse: costs no disk
    with pytest.raises(InputError) as exc:
        load(big)
    assert "too large" in str(exc.value)


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_devices_are_refused(device):
    with pytest.raises(InputError) as exc:
        load(device)
    assert str(exc.value) == f"{device}:1:1: not a regular file (a device, FIFO or socket)"


def test_a_fifo_is_refused_without_blocking(tmp_path, capsys):
    fifo = tmp_path / "scenario.yaml"
    os.mkfifo(fifo)
    start = time.perf_counter()
    assert main(["validate", str(fifo)]) == 2
    assert time.perf_counter() - start < 5
    assert "not a regular file" in capsys.readouterr().out


def test_not_utf8_names_line_and_column(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_bytes(b"id: x\ntitle: \xff\xfe\n")
    with pytest.raises(InputError) as exc:
        load(path)
    assert str(exc.value) == f"{path}:2:8: not UTF-8 text (save the file as UTF-8)"
