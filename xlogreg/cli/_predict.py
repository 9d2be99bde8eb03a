"""``xlogreg predict``: probabilities, labels, logits and contributions of a saved model, as CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Annotated, Any

import typer

import xlogreg
from xlogreg import LogisticRegression, runs
from xlogreg._atomic_write import write_atomically
from xlogreg._backend import host_list
from xlogreg.cli._app import app
from xlogreg.cli._data import read_table
from xlogreg.cli._options import (
    Backend,
    BackendOption,
    Device,
    DeviceOption,
    Dtype,
    DtypeOption,
    IdColumnsOption,
    ModelArgument,
    ModelRunsDirOption,
    Target,
)

__all__ = ["predict"]


@app.command()
def predict(
    model: ModelArgument,
    data: Annotated[Path, typer.Argument(help="Rows to predict: .csv, .parquet, .npy or .npz.")],
    out: Annotated[Path, typer.Option("--out", help="The CSV file to write.")],
    explain: Annotated[
        bool,
        typer.Option("--explain", help="Add each feature's contribution to the logit."),
    ] = False,
    id_columns: IdColumnsOption = None,
    runs_dir: ModelRunsDirOption = None,
    backend: BackendOption = Backend.numpy,
    device: DeviceOption = Device.auto,
    dtype: DtypeOption = Dtype.float64,
) -> None:
    """Predict every row of DATA with a saved classifier, as CSV.

    MODEL is written by xlogreg fit (or model.save). Reads the model's
    features by name (other columns, the target say, are ignored) and writes
    one CSV row per input row: the --id-column columns as they were read,
    proba_<class> for each class, label (at the model's threshold), logit
    (two classes) and, with --explain, contrib_<feature> and
    contrib_intercept, which sum to the logit (contrib_<class>_<feature> per
    class for three or more classes).
    """
    compute = Target.resolve(backend, device, dtype)
    path = runs.find_model(model, runs_dir=runs_dir)
    if not out.parent.is_dir():
        raise FileNotFoundError(f"--out {out}: no folder {out.parent}")
    fitted = _load(path, compute)
    table = read_table(data, features=fitted.feature_names_in_, ids=id_columns or ())
    columns = [*table.ids.items(), *_columns(fitted, compute.array(table.X), explain=explain)]
    names = [name for name, _ in columns]
    if len(set(names)) != len(names):
        repeated = sorted({name for name in names if names.count(name) > 1})
        raise ValueError(
            f"{path}: output columns {repeated} would repeat; rename the features or id columns"
        )
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(names)
    writer.writerows(zip(*(values for _, values in columns), strict=True))
    write_atomically(str(out), text.getvalue().encode())
    typer.echo(f"{table.X.shape[0]} rows, {len(columns)} columns -> {out} ({compute.describe()})")


def _load(path: Path, compute: Target) -> LogisticRegression:
    """The classifier in ``path``, with its arrays on the target."""
    fitted = xlogreg.load(path)  # NumPy: every model file loads there
    if not isinstance(fitted, LogisticRegression):
        raise ValueError(f"{path}: holds a {type(fitted).__name__}, not a LogisticRegression")
    if compute.library == "numpy":
        return fitted
    if fitted.classes_.dtype.kind in "UO":
        raise ValueError(
            f"{path}: the model's classes are strings ({', '.join(map(str, fitted.classes_))}), "
            "which only NumPy arrays hold; use --backend numpy"
        )
    return xlogreg.load(path, device=compute.spec())


def _columns(model: LogisticRegression, X: Any, *, explain: bool) -> list[tuple[str, list]]:
    """The output columns, named, as host lists."""
    classes = [str(label) for label in host_list(model.classes_)]
    proba = host_list(model.predict_proba(X))
    labels = host_list(model.predict(X))
    columns = [(f"proba_{label}", [row[k] for row in proba]) for k, label in enumerate(classes)]
    columns.append(("label", labels))
    binary = len(classes) == 2
    if binary:
        columns.append(("logit", host_list(model.decision_function(X))))
    if explain:
        contributions, intercept = (host_list(part) for part in model.explain(X))
        names = model.feature_names_in_
        if binary:
            columns += [
                (f"contrib_{name}", [row[j] for row in contributions])
                for j, name in enumerate(names)
            ]
            columns.append(("contrib_intercept", [intercept] * len(labels)))
        else:
            for k, label in enumerate(classes):
                columns += [
                    (f"contrib_{label}_{name}", [row[k][j] for row in contributions])
                    for j, name in enumerate(names)
                ]
                columns.append((f"contrib_{label}_intercept", [intercept[k]] * len(labels)))
    return columns
