"""``xlogreg evaluate MODEL DATA``: a saved classifier's metrics, threshold costs and plots.

The model's target column and training curve may come from the run record
beside the model file (``xlogreg fit --runs-dir`` writes ``card.json``,
``params.json`` and ``metrics.jsonl`` next to ``model.safetensors``).
"""

from __future__ import annotations

import json
import numbers
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer

import xlogreg
from xlogreg import runs
from xlogreg._backend import host_list
from xlogreg.cli._app import app
from xlogreg.cli._costs import COST_FN, COST_FP, CostFnOption, CostFpOption, check_costs
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
from xlogreg.cli._plots import LossCurve, model_losses
from xlogreg.cli._report import classifier_report, encode_labels, model_outputs
from xlogreg.cli._report_dir import ReportDirOption, check_report_dir, print_written, write_report
from xlogreg.cli._report_tables import print_report, report_console
from xlogreg.exceptions import NotFittedError

__all__ = ["evaluate"]


def _load_classifier(path: Path, target: Target) -> Any:
    """The classifier in the model file ``path``, with its arrays on ``target``.

    It is read into NumPy first, where every model file loads, to name what
    is wrong with it in the command's terms.
    """
    model = xlogreg.load(path)
    if not hasattr(model, "predict_proba"):
        raise ValueError(
            f"{path}: holds a {type(model).__name__}, not a classifier "
            "(evaluate takes LogisticRegression and CalibratedClassifier models)"
        )
    if not hasattr(model, "classes_"):
        raise NotFittedError(f"{path}: the {type(model).__name__} in this file is not fitted")
    if target.library == "numpy":
        return model
    if model.classes_.dtype.kind in "UO":
        raise ValueError(
            f"{path}: the model's classes are strings ({', '.join(map(str, model.classes_))}), "
            f"which {target.library} arrays cannot hold: evaluate it with --backend numpy"
        )
    return xlogreg.load(path, like=target.array(np.zeros(1)))


def _recorded_target(model_path: Path) -> str:
    """The target column a run record beside the model names (card.json, params.json)."""
    for name in ("card.json", "params.json"):
        path = model_path.parent / name
        if not path.is_file():
            continue
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise ValueError(f"{path}: not valid JSON ({error})") from None
        # xlogreg fit records the data it read, target included, under "data".
        for where in (record, record.get("data") if isinstance(record, dict) else None):
            if isinstance(where, dict) and isinstance(where.get("target"), str):
                return where["target"]
    raise ValueError(
        "--target is required: no card.json or params.json beside the model names the target column"
    )


def _run_record_losses(model_path: Path) -> list[LossCurve]:
    """Loss and gradient norm per iteration from ``metrics.jsonl`` beside the model, if any.

    Lines without a whole ``iteration`` and a numeric ``loss`` (the final
    metrics line of a run, say) are not iterations and are skipped.
    """
    path = model_path.parent / "metrics.jsonl"
    if not path.is_file():
        return []
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"{path}: not UTF-8 text (byte offset {error.start})") from None
    steps = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            raise ValueError(f"{path}: line {number} is not JSON") from None
        if (
            isinstance(entry, dict)
            and _is_number(entry.get("loss"))
            and isinstance(entry.get("iteration"), int)
        ):
            steps.append(entry)
    if not steps:
        return []
    iterations = [step["iteration"] for step in steps]
    curves = [LossCurve("metrics.jsonl loss (run record)", iterations, [s["loss"] for s in steps])]
    if all(_is_number(step.get("grad_norm")) for step in steps):
        curves.append(
            LossCurve(
                "metrics.jsonl gradient max-norm",
                iterations,
                [step["grad_norm"] for step in steps],
                gradient=True,
            )
        )
    return curves


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


@app.command()
def evaluate(
    model: ModelArgument,
    data: Annotated[Path, typer.Argument(help="Labelled data: .csv, .parquet, .npy or .npz.")],
    target: Annotated[
        str | None,
        typer.Option(
            "--target",
            help="Column of true labels; default: the one the run record beside MODEL names.",
        ),
    ] = None,
    report_dir: ReportDirOption = None,
    cost_fp: CostFpOption = COST_FP,
    cost_fn: CostFnOption = COST_FN,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the report as JSON instead of tables.")
    ] = False,
    id_columns: IdColumnsOption = None,
    runs_dir: ModelRunsDirOption = None,
    backend: BackendOption = Backend.numpy,
    device: DeviceOption = Device.auto,
    dtype: DtypeOption = Dtype.float64,
) -> None:
    """Evaluate a saved classifier: metrics, threshold costs and plots.

    Binary models: log loss, Brier score, accuracy, precision, recall, F1 and
    the confusion matrix at the model's threshold, ROC AUC, average
    precision, the expected calibration error per bin, and the cost of
    thresholds 0.1 to 0.9 and of the cost-optimal one (seed 000's policy). Models
    of three or more classes: the K x K confusion matrix, log loss, accuracy,
    balanced accuracy, precision, recall, F1 and one-vs-rest ROC AUC per class
    with their macro and weighted averages. Writes report.json and PNG plots
    (ROC, precision-recall, reliability diagram, score histogram: two classes;
    confusion-matrix heat map, training loss) to --report-dir.
    MODEL may be a run folder of xlogreg fit --runs-dir (whose record names
    the target), or with --runs-dir a run id or 'production', as for predict.
    """
    check_costs(cost_fp, cost_fn)
    check_report_dir(report_dir)
    where = Target.resolve(backend, device, dtype)
    path = runs.find_model(model, runs_dir=runs_dir)
    classifier = _load_classifier(path, where)
    target = target or _recorded_target(path)
    features = getattr(classifier, "estimator_", classifier).feature_names_in_
    table = read_table(data, target=target, features=features, ids=id_columns or ())
    classes = host_list(classifier.classes_)
    codes = encode_labels(table.y, classes, source=f"{data}: column {target!r}")
    if len(classes) == 2 and np.unique(codes).size < 2:
        raise ValueError(
            f"{data}: column {target!r} holds only {classes[codes[0]]!r}; ranking, "
            "calibration and threshold costs need both classes"
        )
    report = classifier_report(
        classifier,
        model_outputs(classifier, where.array(table.X)),
        where.array(codes, floating=False),
        cost_fp=cost_fp,
        cost_fn=cost_fn,
    )
    document = {
        "model": str(path),
        "data": str(data),
        "target": target,
        "compute": where.describe(),
        **report.to_dict(),
    }
    written = write_report(
        report,
        document,
        report_dir=report_dir,
        prefix="xlogreg-evaluate-",
        losses=model_losses(classifier) + _run_record_losses(path),
        subject=f"{data.name}, {report.n_samples:,} rows",
    )
    if json_output:
        typer.echo(json.dumps(written, indent=2))
        return
    console = report_console()
    console.print(
        f"{type(classifier).__name__} from {path} on {data} ({report.n_samples:,} rows, "
        f"target {target!r}), computed with {where.describe()}"
    )
    print_report(report, console)
    print_written(written, console)
