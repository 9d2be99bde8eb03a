"""The ``xlogreg`` application as a whole: plain-text help for every command, usage errors
in one ``error:`` line with exit status 1, and a group without a command printing its help."""

import re
import shlex

import pytest

from tests.cli_helpers import ROOT, assert_fails, commands, generated_csv, invoke, run_console

COMMANDS = commands()


@pytest.fixture(autouse=True)
def eighty_columns(monkeypatch):
    """Help is laid out for the terminal's width: the usual 80 columns here, whatever runs
    the tests."""
    monkeypatch.setenv("COLUMNS", "80")


@pytest.mark.parametrize(
    ("words", "command"), COMMANDS, ids=[" ".join(w) or "xlogreg" for w, _ in COMMANDS]
)
def test_help_is_plain_text_with_every_option_named_in_full(words, command):
    outcome = invoke(*words, "--help")
    assert outcome.code == 0 and outcome.stderr == ""
    text = outcome.stdout
    assert text.startswith(f"Usage: {' '.join(('xlogreg', *words))} ")
    assert "<bool>" not in text  # flags are shown as flags, without a type
    assert "``" not in text  # no reStructuredText markup in help texts
    # Nothing cut: no ellipsis in an option name, no command summary ending in "...".
    assert "…" not in text and not re.search(r"\.\.\.$", text.split("\n", 1)[1], flags=re.M)
    for param in command.params:
        for name in (*param.opts, *param.secondary_opts):
            if name.startswith("-"):
                assert re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text), name
    for name in getattr(command, "commands", {}):
        assert re.search(rf"^  {name} ", text, flags=re.M), name


def test_a_group_without_a_command_prints_its_help():
    for words in [(), ("runs",)]:
        outcome = invoke(*words)
        assert outcome.code == 0 and outcome.stderr == ""
        assert outcome.stdout == invoke(*words, "--help").stdout


@pytest.mark.parametrize(
    ("args", "message", "command"),
    [
        (
            ["fit", "{data}", "--target", "y", "--solver", "x"],
            "Invalid value for '--solver'",
            "fit",
        ),
        (["fit", "{data}", "--target", "y", "--solvr", "newton"], "No such option: --solvr", "fit"),
        (["fit", "{data}", "--target", "y", "--tol", "small"], "Invalid value for '--tol'", "fit"),
        (["fit", "{data}", "--target"], "Option '--target' requires an argument", None),
        (["fit", "{data}"], "Missing option '--target'", "fit"),
        (["fit"], "Missing argument", "fit"),
        (["fitt", "{data}"], "No such command 'fitt'", ""),
        (["evaluate", "model.safetensors"], "Missing argument", "evaluate"),
        (["predict", "model.safetensors", "{data}"], "Missing option '--out'", "predict"),
        (["demo", "--backend", "numpyy"], "Invalid value for '--backend'", "demo"),
        (["serve", "model.safetensors", "--port", "0"], "Invalid value for '--port'", "serve"),
        (["runs", "promote"], "Missing argument", "runs promote"),
        (["runs", "list", "extra"], "unexpected extra argument", "runs list"),
    ],
)
def test_usage_errors_fail_in_one_line_with_status_1(tmp_path, args, message, command):
    data = generated_csv(tmp_path / "data.csv", n_samples=40)
    outcome = invoke(*[arg.format(data=data) for arg in args])
    assert_fails(outcome, message)
    if command is not None:  # where to look next, when click knows the command
        assert outcome.stderr.endswith(f" (see '{f'xlogreg {command}'.strip()} --help')\n")


def test_a_usage_error_in_a_real_process(tmp_path):
    done = run_console("fit", tmp_path / "x.csv", "--solvr", "newton")
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr.startswith("error: No such option: --solvr") and done.stderr.count("\n") == 1


def test_the_documented_usage_error_is_what_the_command_prints():
    """The command-line page's example, run as written (the usage error comes before the
    data file is looked for)."""
    page = (ROOT / "docs" / "cli.md").read_text()
    (example,) = re.findall(
        r"```text\n\$ (xlogreg fit [^\n]*--solvr[^\n]*)\n(error: [^\n]*)\n```", page
    )
    command, printed = example
    outcome = invoke(*shlex.split(command)[1:])
    assert (outcome.code, outcome.stdout, outcome.stderr) == (1, "", printed + "\n")
