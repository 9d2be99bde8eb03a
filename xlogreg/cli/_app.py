"""The ``xlogreg`` Typer application, and how its commands fail: one line, non-zero exit."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import typer

from xlogreg.exceptions import ModelFileError, NotFittedError

__all__ = ["HELP_SETTINGS", "app", "main"]

# Every Typer of the command line (the app and its sub-apps) takes these. Click's plain help
# formatter, not rich's panels: rich cut long option names to fit its columns
# ("--no-standardi…") and showed a <bool> type beside every flag. Help texts are plain text:
# no markup is interpreted, so they hold none. Lines reach 100 columns on a wide terminal.
HELP_SETTINGS: dict[str, Any] = {
    "rich_markup_mode": None,
    "context_settings": {"max_content_width": 100},
    "no_args_is_help": True,
}

app = typer.Typer(
    name="xlogreg",
    help=(
        "Logistic and linear regression on NumPy, PyTorch or CuPy, on CPU or GPU: "
        "train, evaluate, predict, serve, and keep a record of runs."
    ),
    add_completion=False,
    pretty_exceptions_enable=False,
    **HELP_SETTINGS,
)


def _version(value: bool) -> None:
    if value:
        from xlogreg import __version__

        typer.echo(f"xlogreg {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Logistic and linear regression on NumPy, PyTorch or CuPy, on CPU or GPU."""


# The errors a user's input can cause: reported in one line, exit status 1.
# Anything else is a bug and keeps its traceback.
_USER_ERRORS = (ValueError, TypeError, KeyError, OSError, ModelFileError, NotFittedError)


def main(argv: list[str] | None = None) -> None:
    """Run the command line (the ``xlogreg`` console script).

    Errors caused by the input (a missing file, an unknown column, labels that
    are not classes, a corrupt model file...) and usage errors (an unknown
    option, a missing argument, a value that is not one of the choices) print
    ``error: ...`` on one line to standard error and exit with status 1. A
    command group called without a command (``xlogreg``, ``xlogreg runs``)
    prints its help and exits with status 0.
    """
    _run(lambda: app(args=argv, prog_name="xlogreg", standalone_mode=False))


def _run(command: Callable[[], Any]) -> None:
    try:
        result = command()
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except typer.Abort:
        _fail("aborted")
    except Exception as error:
        if _is_click_error(error):
            if type(error).__name__ == "NoArgsIsHelpError":
                # Its message is the help, which click (>= 8.2) prints to stderr with status 2.
                typer.echo(error.format_message())
                sys.exit(0)
            _fail(_usage_message(error))
        if not isinstance(error, _USER_ERRORS):
            raise
        _fail(str(error).splitlines()[0] if str(error) else type(error).__name__)
    if isinstance(result, int) and result != 0:
        sys.exit(result)


def _fail(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)
    sys.exit(1)


def _is_click_error(error: Exception) -> bool:
    """A bad command line (click's ``UsageError`` and its kin; Typer vendors click in
    recent versions, so the class depends on the Typer version): it formats its own
    message."""
    return callable(getattr(error, "format_message", None)) and isinstance(
        getattr(error, "exit_code", None), int
    )


def _usage_message(error: Any) -> str:
    """Click's message on one line, with where to find the command's usage.

    Examples
    --------
    >>> from xlogreg.cli._app import _usage_message
    >>> from types import SimpleNamespace
    >>> class Missing(Exception):
    ...     exit_code = 2
    ...     ctx = SimpleNamespace(command_path="xlogreg fit")
    ...     def format_message(self):
    ...         return "Missing option  '--target'."
    >>> _usage_message(Missing())
    "Missing option '--target'. (see 'xlogreg fit --help')"
    """
    message = " ".join(error.format_message().split()) or type(error).__name__
    command = getattr(getattr(error, "ctx", None), "command_path", None)
    return f"{message} (see '{command} --help')" if command else message
