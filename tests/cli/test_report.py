"""The evaluation report behind ``xlogreg evaluate`` and ``xlogreg demo``: numbers and plots.

Numbers are checked against scikit-learn and :mod:`xlogreg.metrics` on the
same predictions, on every backend; figures are inspected as objects
(titles, axis labels, legends) and their PNGs decoded.
"""

import io
import json
import math
import re

import matplotlib.image
import numpy as np
import pytest
from rich.console import Console
from sklearn import metrics as sk

from xlogreg import CalibratedClassifier, LogisticRegression, metrics
from xlogreg._backend import to_numpy
from xlogreg.cli._costs import check_costs
from xlogreg.cli._plots import (
    DPI,
    LossCurve,
    confusion_figure,
    histogram_figure,
    loss_figure,
    precision_recall_figure,
    reliability_figure,
    report_figures,
    roc_figure,
    save_figures,
)
from xlogreg.cli._report import Report, classifier_report, encode_labels, model_outputs
from xlogreg.cli._report_dir import write_json
from xlogreg.cli._report_tables import print_report

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _problem(n_classes=2, n=600, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 4))
    if n_classes == 2:
        y = (X @ [1.5, -1.0, 0.5, 0.0] + rng.logistic(size=n) > 0).astype(np.int64)
    else:
        y = np.argmax(X[:, :n_classes] + rng.gumbel(size=(n, n_classes)), axis=1)
    return X, y


@pytest.fixture(scope="module")
def binary():
    X, y = _problem()
    model = LogisticRegression(threshold=0.35).fit(X, y)
    return (
        model,
        X,
        y,
        classifier_report(model, model_outputs(model, X), y, cost_fp=18, cost_fn=120),
    )


@pytest.fixture(scope="module")
def multinomial():
    """The report of a three-class model with named classes."""
    X, y = _problem(n_classes=3)
    model = LogisticRegression().fit(X, np.array(["ant", "bee", "cat"])[y])
    return classifier_report(model, model_outputs(model, X), y)


def test_binary_numbers_equal_scikit_learn(backend):
    X, y = _problem()
    model = LogisticRegression(threshold=0.35).fit(backend.asarray(X), backend.asarray(y))
    outputs = model_outputs(model, backend.asarray(X))
    report = classifier_report(model, outputs, backend.asarray(y), cost_fp=18, cost_fn=120)
    proba = to_numpy(model.predict_proba(backend.asarray(X)))[:, 1].astype(np.float64)
    predicted = (proba >= 0.35).astype(np.int64)
    expected = {
        "log_loss": sk.log_loss(y, proba),
        "brier": sk.brier_score_loss(y, proba),
        "accuracy": sk.accuracy_score(y, predicted),
        "precision": sk.precision_score(y, predicted),
        "recall": sk.recall_score(y, predicted),
        "f1": sk.f1_score(y, predicted),
        "roc_auc": sk.roc_auc_score(y, proba),
        "average_precision": sk.average_precision_score(y, proba),
    }
    rtol = 1e-12 if backend.has_float64 else 2e-6
    for name, value in expected.items():
        assert report.metrics[name] == pytest.approx(value, rel=rtol, abs=rtol), name
    assert report.confusion == sk.confusion_matrix(y, predicted).tolist()
    assert report.kind == "binary" and report.classes == [0, 1] and report.n_samples == 600
    assert report.threshold == 0.35


def test_calibration_bins_are_the_ece_of_xlogreg_metrics(binary):
    model, X, y, report = binary
    proba = model.predict_proba(X)[:, 1]
    ece, bins = metrics.expected_calibration_error(y, proba, n_bins=10)
    assert report.metrics["ece"] == float(ece)
    assert [row["count"] for row in report.calibration] == bins.count.tolist()
    for field in ("lower", "upper", "mean_score", "positive_rate", "contribution"):
        np.testing.assert_array_equal(
            [row[field] for row in report.calibration], getattr(bins, field)
        )
    assert sum(row["contribution"] for row in report.calibration) == pytest.approx(float(ece))


def test_threshold_table_prices_the_grid_the_model_and_the_optimum(backend):
    X, y = _problem()
    Xb, yb = backend.asarray(X), backend.asarray(y)
    model = LogisticRegression(threshold=0.35).fit(Xb, yb)
    report = classifier_report(model, model_outputs(model, Xb), yb, cost_fp=18, cost_fn=120)
    proba = model.predict_proba(Xb)[:, 1]
    choice = metrics.select_threshold(yb, proba, cost_fp=18, cost_fn=120)
    optimal = [row for row in report.thresholds if row["note"].startswith("cost-optimal")]
    assert len(optimal) == 1
    assert optimal[0]["threshold"] == float(choice.threshold)
    assert optimal[0]["cost"] == float(choice.cost)
    assert min(row["cost"] for row in report.thresholds) == float(choice.cost)
    thresholds = [row["threshold"] for row in report.thresholds]
    assert thresholds == sorted({0.1, 0.2, 0.3, 0.35, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, *thresholds})
    assert [row["note"] for row in report.thresholds if row["threshold"] == 0.35] == ["model"]
    sweep = metrics.threshold_sweep(yb, proba, thresholds, cost_fp=18, cost_fn=120)
    for field in ("tp", "fp", "fn", "tn", "precision", "recall", "f1", "cost"):
        np.testing.assert_array_equal(
            [row[field] for row in report.thresholds], to_numpy(getattr(sweep, field))
        )
    for row in report.thresholds:
        assert row["tp"] + row["fp"] + row["fn"] + row["tn"] == 600
        assert row["cost"] == 18 * row["fp"] + 120 * row["fn"]


def test_flagging_nothing_can_be_optimal_and_is_written_as_inf():
    X, y = _problem()
    model = LogisticRegression().fit(X, y)
    y = y.copy()
    y[np.argmax(model.predict_proba(X)[:, 1])] = 0  # flagging even the top score is a false alarm
    report = classifier_report(model, model_outputs(model, X), y, cost_fp=1000, cost_fn=0.001)
    best = report.thresholds[-1]
    assert math.isinf(best["threshold"]) and best["note"] == "cost-optimal"
    assert (best["tp"], best["fp"]) == (0, 0)
    document = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    assert document["threshold_table"][-1]["threshold"] == "inf"


def _sklearn_multinomial(y, proba, predicted, labels=(0, 1, 2)):
    """scikit-learn's numbers for a multinomial report's metrics and per-class rows."""
    labels = list(labels)
    expected = {
        "log_loss": sk.log_loss(y, proba, labels=labels),
        "accuracy": sk.accuracy_score(y, predicted),
        "balanced_accuracy": sk.balanced_accuracy_score(y, predicted),
    }
    for average in ("macro", "weighted"):
        precision, recall, f1, _ = sk.precision_recall_fscore_support(
            y, predicted, labels=labels, average=average, zero_division=0
        )
        expected |= {
            f"precision_{average}": precision,
            f"recall_{average}": recall,
            f"f1_{average}": f1,
        }
    precision, recall, f1, support = sk.precision_recall_fscore_support(
        y, predicted, labels=labels, zero_division=0
    )
    per_class = [
        {"class": k, "support": int(support[k]), "precision": precision[k], "recall": recall[k]}
        | {"f1": f1[k]}
        for k in labels
    ]
    return expected, per_class


def _assert_rows_equal(rows, expected, rtol):
    for row, reference in zip(rows, expected, strict=True):
        assert row.keys() >= reference.keys()
        for name, value in reference.items():
            assert row[name] == pytest.approx(value, rel=rtol, abs=rtol), (reference, name)


def test_multinomial_numbers_equal_scikit_learn(backend):
    X, y = _problem(n_classes=3)
    Xb = backend.asarray(X)
    model = LogisticRegression().fit(Xb, backend.asarray(y))
    report = classifier_report(model, model_outputs(model, Xb), backend.asarray(y))
    proba = to_numpy(model.predict_proba(Xb)).astype(np.float64)
    # float32 rows sum to one within 1e-7, which scikit-learn warns about.
    proba /= proba.sum(axis=1, keepdims=True)
    predicted = np.argmax(proba, axis=1)
    rtol = 1e-12 if backend.has_float64 else 2e-6
    assert report.kind == "multinomial" and report.classes == [0, 1, 2]
    expected, per_class = _sklearn_multinomial(y, proba, predicted)
    for average in ("macro", "weighted"):
        expected[f"roc_auc_ovr_{average}"] = sk.roc_auc_score(
            y, proba, multi_class="ovr", average=average
        )
    aucs = sk.roc_auc_score(y, proba, multi_class="ovr", average=None)
    for row, auc in zip(per_class, aucs, strict=True):
        row["roc_auc"] = auc
    assert report.metrics.keys() == expected.keys()
    _assert_rows_equal([report.metrics], [expected], rtol)
    _assert_rows_equal(report.per_class, per_class, rtol)
    assert report.confusion == sk.confusion_matrix(y, predicted).tolist()
    assert report.thresholds is None and report.curves is None
    assert "threshold_table" not in report.to_dict()


# scikit-learn's balanced accuracy says so, as it should: the absent class is predicted.
@pytest.mark.filterwarnings("ignore:y_pred contains classes not in y_true")
def test_a_class_absent_from_the_data_has_no_auc():
    """One-vs-rest AUC needs every class among the true labels (xlogreg.metrics raises,
    scikit-learn gives NaN): none is reported; every other number is scikit-learn's."""
    X, y = _problem(n_classes=3)
    model = LogisticRegression().fit(X, y)
    present = y != 2
    report = classifier_report(model, model_outputs(model, X[present]), y[present])
    proba = model.predict_proba(X[present])
    predicted = np.argmax(proba, axis=1)
    assert 2 in predicted  # the absent class is still predicted: a column of errors
    expected, per_class = _sklearn_multinomial(y[present], proba, predicted)
    _assert_rows_equal([report.metrics], [expected], 1e-12)
    _assert_rows_equal(report.per_class, per_class, 1e-12)
    assert report.per_class[2]["support"] == 0
    assert [row["roc_auc"] for row in report.per_class] == [None, None, None]
    assert report.metrics["roc_auc_ovr_macro"] is None
    assert report.metrics["roc_auc_ovr_weighted"] is None
    assert report.confusion == sk.confusion_matrix(y[present], predicted, labels=[0, 1, 2]).tolist()
    assert (
        json.loads(json.dumps(report.to_dict(), allow_nan=False))["per_class"][2]["roc_auc"] is None
    )
    text = _printed(report)
    absent = report.per_class[2]
    scores = [f"{absent[name]:.4f}" for name in ("precision", "recall", "f1")]
    assert re.search(_cells("2", "0", *scores, "n/a"), text)
    assert (
        "No ROC AUC: one-vs-rest ranking needs every class among the true labels; absent: 2."
        in text
    )


def test_a_calibrated_model_reports_the_log_loss_of_its_probabilities():
    X, y = _problem(n=1200)
    model = CalibratedClassifier(LogisticRegression(threshold=0.3), random_state=0).fit(X, y)
    outputs = model_outputs(model, X)
    assert outputs.logits is None  # a calibrated model has probabilities only
    report = classifier_report(model, outputs, y)
    proba = model.predict_proba(X)[:, 1]
    assert report.metrics["log_loss"] == pytest.approx(sk.log_loss(y, proba), rel=1e-12)
    assert report.threshold == 0.3
    assert report.confusion == sk.confusion_matrix(y, proba >= 0.3).tolist()


def test_string_labels_and_the_positive_class():
    X, y = _problem()
    names = np.array(["approve", "review"])[y]
    model = LogisticRegression().fit(X, names)
    codes = encode_labels(names, model.classes_.tolist(), source="data.csv")
    np.testing.assert_array_equal(codes, y)
    report = classifier_report(model, model_outputs(model, X), codes)
    assert report.classes == ["approve", "review"]
    assert report.metrics["roc_auc"] == pytest.approx(
        sk.roc_auc_score(names, model.predict_proba(X)[:, 1], labels=None), rel=1e-12
    )


def test_encode_labels_matches_numbers_and_text():
    np.testing.assert_array_equal(encode_labels(np.array([1, 0, 1]), [0, 1], source="d"), [1, 0, 1])
    np.testing.assert_array_equal(encode_labels(np.array([1, 0]), ["0", "1"], source="d"), [1, 0])
    np.testing.assert_array_equal(encode_labels(np.array([2.0, 1.0]), [1, 2], source="d"), [1, 0])
    with pytest.raises(ValueError, match=r"^d: labels \['maybe'\] are not classes of the model "):
        encode_labels(np.array(["yes", "maybe"]), ["no", "yes"], source="d")
    with pytest.raises(ValueError, match=r"labels \['3', '7'\] .*\(classes: 0, 1\)"):
        encode_labels(np.array([0, 7, 3]), [0, 1], source="d")


@pytest.mark.parametrize(
    ("cost_fp", "cost_fn", "message"),
    [
        (-1.0, 120.0, "--cost-fp must be a finite number >= 0, got -1.0"),
        (18.0, float("nan"), "--cost-fn must be a finite number >= 0, got nan"),
        (float("inf"), 1.0, "--cost-fp must be a finite number >= 0, got inf"),
        (0.0, 0.0, "--cost-fp and --cost-fn are both 0"),
    ],
)
def test_costs_that_price_nothing_are_refused(cost_fp, cost_fn, message):
    with pytest.raises(ValueError, match=message.replace("+", r"\+")):
        check_costs(cost_fp, cost_fn)


def test_json_round_trip(binary, tmp_path):
    *_, report = binary
    write_json(tmp_path / "report.json", report.to_dict())
    document = json.loads((tmp_path / "report.json").read_text())
    assert document == json.loads(json.dumps(report.to_dict()))
    assert document["metrics"] == report.metrics
    assert document["costs"] == {"fp": 18.0, "fn": 120.0}
    assert "curves" not in document
    assert list(tmp_path.iterdir()) == [tmp_path / "report.json"]  # no temporary file left


def _printed(report):
    console = Console(file=io.StringIO(), width=160)
    print_report(report, console)
    return console.file.getvalue()


def test_printed_tables_show_the_numbers(binary):
    *_, report = binary
    text = _printed(report)
    assert f"{report.metrics['roc_auc']:.4f}" in text
    assert "Confusion matrix (threshold 0.35)" in text
    assert f"Calibration: ECE {report.metrics['ece']:.4f} over 10 bins" in text
    assert "Threshold costs: flag p(1) >= t; false positive 18, false negative 120" in text
    assert "cost-optimal" in text and "model" in text


def _cells(*values):
    """A regular expression for a rich table row of ``values``."""
    return r"│\s+" + r"\s+│\s+".join(map(re.escape, values)) + r"\s+│"


def test_printed_multinomial_tables_show_the_k_by_k_matrix_and_the_scores(multinomial):
    report = multinomial
    text = _printed(report)
    assert "Confusion matrix (most probable class)" in text
    assert re.search(r"true \\ predicted\s+┃\s+ant\s+┃\s+bee\s+┃\s+cat\s+┃", text)
    for label, row in zip(report.classes, report.confusion, strict=True):
        assert re.search(_cells(label, *(f"{count:,}" for count in row)), text), label
    for name in ("log loss", "accuracy", "balanced accuracy"):
        value = report.metrics[name.replace(" ", "_")]
        assert re.search(_cells(name, f"{value:.4f}"), text), name
    assert "Averages over the classes" in text
    for average in ("macro", "weighted"):
        keys = (f"precision_{average}", f"recall_{average}", f"f1_{average}")
        scores = [report.metrics[key] for key in (*keys, f"roc_auc_ovr_{average}")]
        assert re.search(_cells(average, *(f"{v:.4f}" for v in scores)), text), average
    for row in report.per_class:
        scores = [row[name] for name in ("precision", "recall", "f1", "roc_auc")]
        expected = _cells(row["class"], f"{row['support']:,}", *(f"{v:.4f}" for v in scores))
        assert re.search(expected, text), row
    assert "No ROC AUC" not in text and "No threshold table" in text


def _legend(axes):
    return [text.get_text() for text in axes.get_legend().get_texts()]


def test_figures_have_titles_axes_and_legends(binary):
    *_, report = binary
    auc, ap, ece = (report.metrics[k] for k in ("roc_auc", "average_precision", "ece"))
    optimal = next(r["threshold"] for r in report.thresholds if r["note"] == "cost-optimal")
    expected = {
        roc_figure: (
            "ROC curve: toy",
            "false positive rate",
            "true positive rate (recall)",
            [
                f"model (AUC = {auc:.3f})",
                "chance (AUC = 0.5)",
                f"cost-optimal threshold {optimal:.3g}",
            ],
        ),
        precision_recall_figure: (
            "Precision-recall curve: toy",
            "recall",
            "precision",
            [f"model (AP = {ap:.3f})", f"chance (prevalence {np.mean(binary[2]):.3f})"],
        ),
        reliability_figure: (
            f"Reliability diagram: toy (ECE = {ece:.4f})",
            "predicted probability",
            "observed positive rate",
            [
                "(mean score, positive rate) per bin",
                "perfect calibration",
                "numbers: the bin's share of the ECE",
                "positive rate per bin",
            ],
        ),
        histogram_figure: (
            "Scores by class: toy",
            "predicted probability of 1",
            "samples",
            [
                f"true class 0 ({np.sum(binary[2] == 0):,})",
                f"true class 1 ({np.sum(binary[2] == 1):,})",
                "model threshold 0.35",
                f"cost-optimal threshold {optimal:.3g}",
            ],
        ),
    }
    for make, (title, xlabel, ylabel, legend) in expected.items():
        (axes,) = make(report, "toy").axes
        assert (axes.get_title(), axes.get_xlabel(), axes.get_ylabel()) == (title, xlabel, ylabel)
        assert _legend(axes) == legend


def test_reliability_diagram_writes_each_bins_share_of_the_ece(binary):
    *_, report = binary
    (axes,) = reliability_figure(report, "toy").axes
    written = [text.get_text() for text in axes.texts]
    assert written == [f"{row['contribution']:.3f}" for row in report.calibration]
    heights = [bar.get_height() for bar in axes.patches]
    assert heights == [row["positive_rate"] for row in report.calibration]


def test_loss_figure_puts_gradient_norms_on_a_log_axis():
    curves = [
        LossCurve("loss_history_ (model file)", range(4), [0.69, 0.5, 0.45, 0.44]),
        LossCurve("metrics.jsonl loss (run record)", [1, 2, 3], [0.5, 0.45, 0.44]),
        LossCurve("metrics.jsonl gradient max-norm", [1, 2, 3], [1e-1, 1e-3, 1e-7], gradient=True),
    ]
    figure = loss_figure(curves)
    loss_axes, gradient_axes = figure.axes
    assert loss_axes.get_title() == "Training loss per solver iteration"
    assert (loss_axes.get_xlabel(), loss_axes.get_ylabel()) == ("iteration", "training objective")
    assert (gradient_axes.get_yscale(), gradient_axes.get_ylabel()) == ("log", "gradient max-norm")
    assert _legend(loss_axes) == [curve.label for curve in curves]
    np.testing.assert_array_equal(gradient_axes.lines[0].get_ydata(), [1e-1, 1e-3, 1e-7])


def test_pngs_are_written_atomically_and_decode(binary, tmp_path):
    *_, report = binary
    losses = [LossCurve("loss_history_ (model file)", range(3), [0.7, 0.5, 0.45])]
    figures = report_figures(report, losses, "toy")
    assert list(figures) == [
        "roc.png",
        "precision_recall.png",
        "reliability.png",
        "score_histogram.png",
        "confusion_matrix.png",
        "loss_curve.png",
    ]
    paths = save_figures(figures, tmp_path)
    assert sorted(tmp_path.iterdir()) == sorted(paths)
    for path in paths:
        data = path.read_bytes()
        assert data.startswith(PNG_SIGNATURE) and len(data) > 10_000
        image = matplotlib.image.imread(path)
        assert image.shape[:2] == (round(4.8 * DPI), round(6.4 * DPI))


def test_multinomial_reports_plot_the_confusion_matrix_and_the_loss(multinomial):
    assert list(report_figures(multinomial, [], "toy")) == ["confusion_matrix.png"]
    losses = [LossCurve("loss_history_ (model file)", range(3), [1.1, 0.9, 0.8])]
    assert list(report_figures(multinomial, losses, "toy")) == [
        "confusion_matrix.png",
        "loss_curve.png",
    ]


@pytest.mark.parametrize(
    ("kind", "rule"), [("binary", "threshold 0.35"), ("multinomial", "most probable class")]
)
def test_the_confusion_heat_map_writes_each_count_in_its_cell(binary, multinomial, kind, rule):
    report = binary[-1] if kind == "binary" else multinomial
    axes, colour_bar = confusion_figure(report, "toy").axes
    assert axes.get_title() == f"Confusion matrix: toy ({rule})"
    assert (axes.get_xlabel(), axes.get_ylabel()) == ("predicted class", "true class")
    names = [str(label) for label in report.classes]
    assert [tick.get_text() for tick in axes.get_xticklabels()] == names
    assert [tick.get_text() for tick in axes.get_yticklabels()] == names
    (image,) = axes.images
    np.testing.assert_array_equal(image.get_array(), report.confusion)
    written = {text.get_position(): text.get_text() for text in axes.texts}
    counts = np.asarray(report.confusion)
    assert written == {(j, i): f"{count:,}" for (i, j), count in np.ndenumerate(counts)}
    assert len(axes.texts) == counts.size
    assert colour_bar.get_ylabel() == "samples"


def test_the_heat_map_of_many_classes_is_colour_only():
    n = 21
    confusion = (np.eye(n, dtype=int) * 5 + 1).tolist()
    report = Report("multinomial", n * (n + 4), list(range(n)), {}, confusion, threshold=None)
    (axes, _) = confusion_figure(report, "toy").axes
    assert len(axes.texts) == 0
    np.testing.assert_array_equal(axes.images[0].get_array(), confusion)
