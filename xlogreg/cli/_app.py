"""The ``xlogreg`` Typer application, and how its commands fail: one line, non-zero exit."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import typer

from xlogreg.exceptions import ModelFileError, NotFittedError

__all__ = ["app", "main"]

app = typer.Typer(
    name="xlogreg",
    help=(
        "Logistic and linear regression on NumPy, PyTorch or CuPy, on CPU or GPU: "
        "train, evaluate, predict, serve, and keep a record of runs."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
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
    are not classes, a corrupt model file...) print ``error: ...`` on one line
    to standard error and exit with status 1; usage errors exit with status 2.
    """
    _run(lambda: app(args=argv, prog_name="xlogreg", standalone_mode=False))


def _run(command: Callable[[], Any]) -> None:
    try:
        result = command()
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except typer.Abort:
        print("error: aborted", file=sys.stderr)
        sys.exit(1)
    except Exception as error:
        if _is_usage_error(error):
            error.show()
            sys.exit(error.exit_code)
        if not isinstance(error, _USER_ERRORS):
            raise
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        print(f"error: {message}", file=sys.stderr)
        sys.exit(1)
    if isinstance(result, int) and result != 0:
        sys.exit(result)


def _is_usage_error(error: Exception) -> bool:
    """A bad command line (click's ``UsageError``; Typer vendors click, so its class
    depends on the Typer version): it prints itself with the usage line."""
    return callable(getattr(error, "show", None)) and isinstance(
        getattr(error, "exit_code", None), int
    )
