"""The files of a runs folder (xlogreg/runs/_record_files.py): a registry.json that is not
UTF-8, not valid JSON (or nested too deep), not an object or not a registry of runs is named
by every ``xlogreg runs`` command and left as it is; a missing runs folder is named too."""

import pytest

from tests.cli_helpers import assert_fails, invoke


def test_runs_refuse_a_corrupt_registry_and_a_missing_folder(fresh, tmp_path):
    runs_dir, good, _ = fresh
    (runs_dir / "registry.json").write_text("{not json")
    for args in (["list"], ["promote", good], ["show", "production"]):
        assert_fails(invoke("runs", *args, "--runs-dir", runs_dir), "registry.json: not valid JSON")
    assert (runs_dir / "registry.json").read_text() == "{not json"
    (runs_dir / "registry.json").write_text('{"production": 3}')
    assert_fails(invoke("runs", "list", "--runs-dir", runs_dir), "not a registry of runs")
    assert_fails(invoke("runs", "list", "--runs-dir", tmp_path / "none"), "no such runs folder")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe{}", "registry.json: not UTF-8 text (byte 0 is 0xff)"),
        (b"[" * 100_000, "registry.json: not valid JSON (nested too deep)"),
        (b"[]", "registry.json: expected a JSON object"),
        (b'{"production": "../x"}', "registry.json: not a registry of runs (production '../x')"),
        (b'{"history": [1]}', "registry.json: not a registry of runs (history is not a list"),
    ],
)
def test_a_garbage_registry_is_named(fresh, content, message):
    runs_dir, good, _ = fresh
    (runs_dir / "registry.json").write_bytes(content)
    for args in (["list"], ["promote", good], ["show", "production"]):
        assert_fails(invoke("runs", *args, "--runs-dir", runs_dir), message)
    assert (runs_dir / "registry.json").read_bytes() == content
