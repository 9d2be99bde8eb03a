"""Where a report goes: ``--report-dir``, and writing ``report.json`` and the plots there.

Shared by ``xlogreg evaluate`` and ``xlogreg demo``. Every file is written
atomically; the folder is created only once the report is computed, so a
failed command leaves nothing behind.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from xlogreg._atomic_write import write_atomically
from xlogreg.cli._plots import (
    PLOTS_MISSING,
    LossCurve,
    plots_available,
    report_figures,
    save_figures,
)
from xlogreg.cli._report import Report

__all__ = ["ReportDirOption", "check_report_dir", "print_written", "write_json", "write_report"]

ReportDirOption = Annotated[
    Path | None,
    typer.Option(
        "--report-dir",
        help="Folder for report.json and the PNG plots (created if needed); default: a new "
        "temporary folder.",
    ),
]


def check_report_dir(report_dir: Path | None) -> None:
    """Refuse a ``--report-dir`` that exists and is not a folder (before any work)."""
    if report_dir is not None and report_dir.exists() and not report_dir.is_dir():
        raise ValueError(f"--report-dir {report_dir}: exists and is not a folder")


def write_report(
    report: Report,
    document: dict[str, Any],
    *,
    report_dir: Path | None,
    prefix: str,
    losses: list[LossCurve],
    subject: str,
) -> dict[str, Any]:
    """Write ``report.json`` and the plots; return what ``report.json`` holds.

    The folder is ``report_dir`` (created if missing) or a new temporary
    folder named ``prefix...``. Every file is written atomically.
    ``report.json`` is ``document`` plus ``report_dir``, ``files`` (names in
    the folder, report.json first) and, without matplotlib, ``plots`` saying
    how to get them.
    """
    drawing = plots_available()
    figures = report_figures(report, losses, subject) if drawing else {}
    if report_dir is None:
        folder = Path(tempfile.mkdtemp(prefix=prefix))
    else:
        folder = report_dir
        folder.mkdir(parents=True, exist_ok=True)
    document = {**document, "report_dir": str(folder), "files": ["report.json", *figures]}
    if not drawing:
        document["plots"] = PLOTS_MISSING
    write_json(folder / "report.json", document)
    save_figures(figures, folder)
    return document


def print_written(written: dict[str, Any], console: Console) -> None:
    """Say where the report went (and, without matplotlib, how to get the plots)."""
    console.print(f"Report written to {written['report_dir']}: {', '.join(written['files'])}")
    if "plots" in written:
        console.print(written["plots"])


def write_json(path: Path, document: dict[str, Any]) -> None:
    """Write ``document`` as strict JSON (no NaN or infinity), atomically."""
    text = json.dumps(document, indent=2, allow_nan=False) + "\n"
    write_atomically(str(path), text.encode())
