"""xlogreg.metrics on every backend: results stay on the input's namespace, device and dtype,
agree with the NumPy float64 results, and bad input is refused with a clear error.

Parity with scikit-learn on random inputs is in the property tests of each metrics module
(tests/metrics/test_classification.py, test_ranking.py, …); seed 000's
printed numbers are in test_seed_000.py.
"""

import inspect
import tracemalloc

import numpy as np
import pytest

from tests.backends import assert_on_backend, leaves, rtol_for
from xlogreg import metrics
from xlogreg._backend import to_numpy

RNG = np.random.default_rng(7)
N = 300
Y = RNG.integers(0, 2, N)
# Scores on a grid of 1/64: many ties, as real probabilities have, and the same values in
# float32 and float64, so every row bins and sorts them alike.
SCORE = np.round(np.clip(0.3 * Y + 0.7 * RNG.random(N), 0, 1) * 64) / 64
PRED = (SCORE >= 0.5).astype(np.int64)
WEIGHT = RNG.random(N) * (RNG.random(N) > 0.1)
# Four classes, one of them never predicted; probabilities on a grid of 1/64 that sum to one.
CLASSES = RNG.integers(0, 4, N)
CLASS_PRED = np.where(RNG.random(N) < 0.6, CLASSES, RNG.integers(0, 3, N))
# Rows of 64ths (exact in float32 too) summing to one, leaning towards the true class.
CLASS_PROBA = RNG.multinomial(48, [0.25] * 4, N) / 64 + (CLASSES[:, None] == np.arange(4)) / 4
TARGET = RNG.standard_normal((N, 2))
PREDICTION = TARGET + 0.3 * RNG.standard_normal((N, 2))

# name -> (call taking an array converter, kind of the outputs' dtype)
#   "score": the row's float dtype; "acc": the device's widest float;
#   "count": the device's widest integer; "host": a report of Python values.
CASES = {
    "confusion_matrix": (lambda a: metrics.confusion_matrix(a(Y), a(PRED)), "count"),
    "confusion_matrix weighted": (
        lambda a: metrics.confusion_matrix(a(Y), a(PRED), sample_weight=a(WEIGHT)),
        "acc",
    ),
    "confusion_matrix normalized": (
        lambda a: metrics.confusion_matrix(a(Y), a(PRED), normalize="true"),
        "acc",
    ),
    "confusion_matrix 4 classes": (
        lambda a: metrics.confusion_matrix(
            a(CLASSES), a(CLASS_PRED), labels=[3, 1, 0, 2, 5], sample_weight=a(WEIGHT)
        ),
        "acc",
    ),
    "precision_score": (lambda a: metrics.precision_score(a(Y), a(PRED)), "acc"),
    "precision_score macro": (
        lambda a: metrics.precision_score(a(CLASSES), a(CLASS_PRED), average="macro"),
        "acc",
    ),
    "precision_recall_fscore_support": (
        lambda a: metrics.precision_recall_fscore_support(
            a(CLASSES), a(CLASS_PRED), sample_weight=a(WEIGHT), labels=[2, 0]
        ),
        "acc",
    ),
    "precision_recall_fscore_support weighted": (
        lambda a: metrics.precision_recall_fscore_support(
            a(CLASSES), a(CLASS_PRED), average="weighted", zero_division=float("nan")
        )[:3],
        "acc",
    ),
    "cohen_kappa_score": (
        lambda a: metrics.cohen_kappa_score(
            a(CLASSES), a(CLASS_PRED), weights="quadratic", sample_weight=a(WEIGHT)
        ),
        "acc",
    ),
    "recall_score": (lambda a: metrics.recall_score(a(Y), a(PRED), sample_weight=a(WEIGHT)), "acc"),
    "f1_score": (lambda a: metrics.f1_score(a(Y), a(PRED)), "acc"),
    "f1_score micro": (
        lambda a: metrics.f1_score(a(CLASSES), a(CLASS_PRED), average="micro"),
        "acc",
    ),
    "fbeta_score": (lambda a: metrics.fbeta_score(a(Y), a(PRED), beta=0.5), "acc"),
    "accuracy_score": (lambda a: metrics.accuracy_score(a(Y), a(PRED)), "acc"),
    "balanced_accuracy_score": (
        lambda a: metrics.balanced_accuracy_score(a(Y), a(PRED), adjusted=True),
        "acc",
    ),
    "balanced_accuracy_score 4 classes": (
        lambda a: metrics.balanced_accuracy_score(
            a(CLASSES), a(CLASS_PRED), sample_weight=a(WEIGHT)
        ),
        "acc",
    ),
    "matthews_corrcoef 4 classes": (
        lambda a: metrics.matthews_corrcoef(a(CLASSES), a(CLASS_PRED)),
        "acc",
    ),
    "matthews_corrcoef": (
        lambda a: metrics.matthews_corrcoef(a(Y), a(PRED), sample_weight=a(WEIGHT)),
        "acc",
    ),
    "roc_curve": (lambda a: metrics.roc_curve(a(Y), a(SCORE)), "score"),
    "roc_curve weighted": (
        lambda a: metrics.roc_curve(a(Y), a(SCORE), sample_weight=a(WEIGHT)),
        "score",
    ),
    "roc_auc_score": (lambda a: metrics.roc_auc_score(a(Y), a(SCORE)), "score"),
    "roc_auc_score ovr": (
        lambda a: metrics.roc_auc_score(
            a(CLASSES), a(CLASS_PROBA), multi_class="ovr", average=None, sample_weight=a(WEIGHT)
        ),
        "score",
    ),
    "roc_auc_score ovr micro": (
        lambda a: metrics.roc_auc_score(
            a(CLASSES), a(CLASS_PROBA), multi_class="ovr", average="micro"
        ),
        "score",
    ),
    "roc_auc_score ovo": (
        lambda a: metrics.roc_auc_score(
            a(CLASSES), a(CLASS_PROBA), multi_class="ovo", average="weighted"
        ),
        "score",
    ),
    "top_k_accuracy_score": (
        lambda a: metrics.top_k_accuracy_score(
            a(CLASSES), a(CLASS_PROBA), k=2, sample_weight=a(WEIGHT)
        ),
        "score",
    ),
    "roc_auc_score max_fpr": (
        lambda a: metrics.roc_auc_score(a(Y), a(SCORE), max_fpr=0.3, sample_weight=a(WEIGHT)),
        "score",
    ),
    "precision_recall_curve": (
        lambda a: metrics.precision_recall_curve(a(Y), a(SCORE), drop_intermediate=True),
        "score",
    ),
    "average_precision_score": (
        lambda a: metrics.average_precision_score(a(Y), a(SCORE), sample_weight=a(WEIGHT)),
        "score",
    ),
    "average_precision_score 4 classes": (
        lambda a: metrics.average_precision_score(
            a(CLASSES), a(CLASS_PROBA), average="weighted", sample_weight=a(WEIGHT)
        ),
        "score",
    ),
    "average_precision_score 4 classes micro": (
        lambda a: metrics.average_precision_score(a(CLASSES), a(CLASS_PROBA), average="micro"),
        "score",
    ),
    "det_curve": (lambda a: metrics.det_curve(a(Y), a(SCORE)), "score"),
    "log_loss": (lambda a: metrics.log_loss(a(Y), a(np.clip(SCORE, 0.01, 0.99))), "score"),
    "log_loss_from_logits": (
        lambda a: metrics.log_loss_from_logits(a(Y), a(10 * SCORE - 5), sample_weight=a(WEIGHT)),
        "score",
    ),
    "log_loss 4 classes": (
        lambda a: metrics.log_loss(
            a(CLASSES), a(CLASS_PROBA), sample_weight=a(WEIGHT), labels=[0, 1, 2, 3]
        ),
        "score",
    ),
    "brier_score_loss": (lambda a: metrics.brier_score_loss(a(Y), a(SCORE)), "score"),
    "brier_score_loss 4 classes": (
        lambda a: metrics.brier_score_loss(a(CLASSES), a(CLASS_PROBA)),
        "score",
    ),
    "calibration_curve": (
        lambda a: metrics.calibration_curve(a(Y), a(SCORE), n_bins=7, strategy="quantile"),
        "score",
    ),
    "expected_calibration_error": (
        lambda a: metrics.expected_calibration_error(a(Y), a(SCORE), sample_weight=a(WEIGHT)),
        "score",
    ),
    "expected_calibration_error top label": (
        lambda a: metrics.expected_calibration_error(
            a(CLASSES), a(CLASS_PROBA), n_bins=5, strategy="quantile", sample_weight=a(WEIGHT)
        ),
        "score",
    ),
    "expected_calibration_error classwise": (
        lambda a: metrics.expected_calibration_error(
            a(CLASSES), a(CLASS_PROBA), n_bins=6, multiclass="classwise"
        ),
        "score",
    ),
    "classification_report": (
        lambda a: metrics.classification_report(
            a(CLASSES), a(CLASS_PRED), sample_weight=a(WEIGHT), output_dict=True
        ),
        "host",
    ),
    "threshold_sweep": (
        lambda a: metrics.threshold_sweep(a(Y), a(SCORE), cost_fp=1.0, cost_fn=4.0),
        "score",
    ),
    "select_threshold": (
        lambda a: metrics.select_threshold(a(Y), a(SCORE), cost_fp=1.0, cost_fn=4.0),
        "score",
    ),
    "mean_squared_error": (
        lambda a: metrics.mean_squared_error(a(TARGET), a(PREDICTION), multioutput="raw_values"),
        "score",
    ),
    "mean_absolute_error": (
        lambda a: metrics.mean_absolute_error(a(TARGET[:, 0]), a(PREDICTION[:, 0])),
        "score",
    ),
    "r2_score": (
        lambda a: metrics.r2_score(a(TARGET), a(PREDICTION), sample_weight=a(WEIGHT)),
        "score",
    ),
}


def _numpy(a):
    return a


def _assert_same_report(actual, expected, backend):
    """Reports made for people are host values: the same keys, numbers close."""
    rtol = rtol_for(backend, float64=1e-12, float32=2e-5)
    assert actual.keys() == expected.keys()
    for key, want in expected.items():
        got = actual[key]
        if isinstance(want, dict):
            assert got.keys() == want.keys()
            np.testing.assert_allclose(list(got.values()), list(want.values()), rtol=rtol)
        else:
            np.testing.assert_allclose(got, want, rtol=rtol)


@pytest.mark.parametrize("name", list(CASES))
def test_results_stay_on_the_backend_and_match_numpy(backend, name):
    call, kind = CASES[name]
    if kind == "host":
        _assert_same_report(call(backend.asarray), call(_numpy), backend)
        return
    expected = leaves(call(_numpy))
    actual = leaves(call(backend.asarray))
    float_dtype = {"score": backend.dtype, "acc": backend.widest_float}
    rtol = rtol_for(backend, float64=1e-12, float32=2e-5)
    assert len(actual) == len(expected)
    for got, want in zip(actual, expected, strict=True):
        floating = np.issubdtype(np.asarray(want).dtype, np.floating)
        dtype = float_dtype[kind] if floating else backend.integer_dtype
        assert_on_backend(got, backend, dtype=dtype)
        np.testing.assert_allclose(
            to_numpy(got).astype(float), np.asarray(want, dtype=float), rtol=rtol, atol=rtol
        )


@pytest.mark.parametrize(
    "name",
    [
        "log_loss",
        "log_loss_from_logits",
        "brier_score_loss",
        "log_loss 4 classes",
        "brier_score_loss 4 classes",
        "top_k_accuracy_score",
        "mean_squared_error",
        "mean_absolute_error",
        "r2_score",
    ],
)
def test_means_taken_in_tiles_equal_whole_ones(backend, monkeypatch, name):
    """On the host, per-sample losses are summed a tile of samples at a time: 7 here,
    so 300 samples make 43 tiles, the last one short."""
    import xlogreg._backend.tile_sizes

    call, _ = CASES[name]
    whole = leaves(call(backend.asarray))
    monkeypatch.setattr(xlogreg._backend.tile_sizes, "_HOST_TILE", 7)
    assert xlogreg._backend.host_tile(backend.xp, backend.device) in (7, None)
    tiled = leaves(call(backend.asarray))
    rtol = rtol_for(backend, float64=1e-13, float32=1e-5)
    for got, want in zip(tiled, whole, strict=True):
        np.testing.assert_allclose(to_numpy(got), to_numpy(want), rtol=rtol, atol=rtol)


@pytest.mark.parametrize(
    "call",
    [
        lambda a: metrics.roc_auc_score(a(Y), a(SCORE)),
        lambda a: metrics.f1_score(a(Y), a(PRED)),
        lambda a: metrics.expected_calibration_error(a(Y), a(SCORE)).ece,
        lambda a: metrics.select_threshold(a(Y), a(SCORE), cost_fp=1, cost_fn=2).threshold,
    ],
    ids=["auc", "f1", "ece", "threshold"],
)
def test_scalars_are_zero_dimensional_arrays(backend, call):
    result = call(backend.asarray)
    assert_on_backend(result, backend, dtype=result.dtype)
    assert result.shape == ()


def test_float32_scores_give_float32_results(backend):
    xp = backend.xp
    scores = backend.asarray(SCORE.astype(np.float32), dtype=xp.float32)
    labels = backend.asarray(Y)
    fpr, tpr, thresholds = metrics.roc_curve(labels, scores)
    for result in (fpr, tpr, thresholds, metrics.roc_auc_score(labels, scores)):
        assert_on_backend(result, backend, dtype=xp.float32)
    sweep = metrics.threshold_sweep(labels, scores)
    assert_on_backend(sweep.tp, backend, dtype=backend.integer_dtype)
    assert_on_backend(sweep.f1, backend, dtype=xp.float32)


def test_string_labels_with_pos_label():
    labels = np.where(Y == 1, "spam", "ham")
    np.testing.assert_allclose(
        metrics.roc_auc_score(labels, SCORE), metrics.roc_auc_score(Y, SCORE), rtol=1e-15
    )
    np.testing.assert_allclose(
        metrics.f1_score(labels, np.where(PRED == 1, "spam", "ham"), pos_label="spam"),
        metrics.f1_score(Y, PRED),
        rtol=1e-15,
    )
    assert metrics.confusion_matrix(labels, labels).tolist() == [
        [int(np.sum(Y == 0)), 0],
        [0, int(np.sum(Y == 1))],
    ]


def test_pos_label_zero_flips_the_positive_class():
    flipped = metrics.average_precision_score(1 - Y, 1 - SCORE, pos_label=1)
    np.testing.assert_allclose(
        metrics.average_precision_score(Y, 1 - SCORE, pos_label=0), flipped, rtol=1e-15
    )


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: metrics.roc_auc_score(np.ones(5), np.arange(5.0)), ValueError, "no negative"),
        (lambda: metrics.roc_curve(np.zeros(5), np.arange(5.0)), ValueError, "no positive"),
        (
            lambda: metrics.roc_auc_score(
                [0, 1, 1], [0.1, 0.2, 0.3], sample_weight=[0.0, 1.0, 1.0]
            ),
            ValueError,
            r"no negative samples \(with weight\)",
        ),
        (lambda: metrics.average_precision_score(np.zeros(4), np.ones(4)), ValueError, "positive"),
        (
            lambda: metrics.roc_auc_score(Y, np.where(SCORE > 0.5, np.nan, SCORE)),
            ValueError,
            "y_score contains NaN or infinity",
        ),
        (
            lambda: metrics.roc_curve(Y, np.where(SCORE > 0.5, np.inf, SCORE)),
            ValueError,
            "y_score contains NaN or infinity",
        ),
        (lambda: metrics.log_loss(Y, SCORE + 0.5), ValueError, r"y_prob must hold probabilities"),
        (
            lambda: metrics.log_loss(np.where(Y == 1, np.nan, 0.0), SCORE),
            ValueError,
            "y_true contains NaN or infinity",
        ),
        (
            lambda: metrics.f1_score(np.r_[0.0, 1.0, np.inf, 2.0], np.r_[0, 1, 1, 0]),
            ValueError,
            "y_true contains NaN or infinity",
        ),
        (lambda: metrics.brier_score_loss(Y, SCORE - 0.5), ValueError, r"in \[0, 1\]"),
        (
            lambda: metrics.expected_calibration_error(Y, SCORE * 2),
            ValueError,
            "y_prob must hold probabilities",
        ),
        (lambda: metrics.roc_auc_score(Y, SCORE[:-1]), ValueError, "y_score has 299 entries"),
        (lambda: metrics.f1_score(Y, PRED[:10]), ValueError, "y_pred has 10 entries"),
        (lambda: metrics.roc_auc_score(Y + PRED, SCORE), ValueError, "binary"),
        (lambda: metrics.f1_score(Y, PRED + 1), ValueError, "3 labels"),
        (lambda: metrics.roc_curve(Y + 5, SCORE), ValueError, "pass pos_label"),
        (lambda: metrics.f1_score(Y + 5, PRED + 5), ValueError, "pos_label=1 is not one"),
        (lambda: metrics.roc_auc_score([], []), ValueError, "y_true is empty"),
        (lambda: metrics.accuracy_score([], []), ValueError, "y_true is empty"),
        (lambda: metrics.mean_squared_error([], []), ValueError, "y_true is empty"),
        (
            lambda: metrics.roc_auc_score(Y, SCORE, sample_weight=-WEIGHT),
            ValueError,
            "sample_weight must be non-negative",
        ),
        (
            lambda: metrics.f1_score(Y, PRED, sample_weight=np.zeros(N)),
            ValueError,
            "sample_weight sums to zero",
        ),
        (lambda: metrics.roc_auc_score(Y[:, None], SCORE), ValueError, "y_true must be 1-D"),
        (lambda: metrics.roc_auc_score(Y, SCORE, max_fpr=0.0), ValueError, "max_fpr"),
        (lambda: metrics.f1_score(Y, PRED, zero_division="warn"), ValueError, "zero_division"),
        (lambda: metrics.fbeta_score(Y, PRED, beta=-1.0), ValueError, "beta"),
        (lambda: metrics.calibration_curve(Y, SCORE, n_bins=0), ValueError, "n_bins"),
        (lambda: metrics.calibration_curve(Y, SCORE, strategy="kmeans"), ValueError, "strategy"),
        (lambda: metrics.expected_calibration_error(Y, SCORE, norm="l3"), ValueError, "norm"),
        (
            lambda: metrics.select_threshold(Y, SCORE, cost_fp=-1.0, cost_fn=1.0),
            ValueError,
            "cost_fp",
        ),
        (
            lambda: metrics.threshold_sweep(Y, SCORE, [0.5, np.nan]),
            ValueError,
            "thresholds contains NaN",
        ),
        (lambda: metrics.threshold_sweep(Y, SCORE, []), ValueError, "thresholds is empty"),
        (
            lambda: metrics.confusion_matrix(Y, PRED, labels=[0, 2]),
            ValueError,
            r"labels \[1\] that are not in",
        ),
        (
            lambda: metrics.balanced_accuracy_score(np.ones(4), PRED[:4], adjusted=True),
            ValueError,
            "two classes or more",
        ),
        (lambda: metrics.r2_score([1.0], [1.0]), ValueError, "at least two samples"),
        (lambda: metrics.r2_score(TARGET, PREDICTION[:, 0]), ValueError, "same shape"),
        (
            lambda: metrics.mean_absolute_error(TARGET, PREDICTION + np.nan),
            ValueError,
            "y_pred contains NaN",
        ),
        (
            lambda: metrics.mean_squared_error(TARGET, PREDICTION, multioutput="variance_weighted"),
            ValueError,
            "multioutput",
        ),
    ],
)
def test_bad_input_is_refused_naming_the_problem(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_mixed_libraries_are_refused():
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError, match="mix array libraries"):
        metrics.roc_auc_score(torch.from_numpy(Y), SCORE)


@pytest.mark.parametrize(
    "metric",
    [
        lambda y, s: metrics.roc_auc_score(y, s),
        lambda y, s: metrics.average_precision_score(y, s),
        lambda y, s: metrics.expected_calibration_error(y, s),
        lambda y, s: metrics.select_threshold(y, s, cost_fp=1.0, cost_fn=5.0),
        lambda y, s: metrics.log_loss(y, s),
    ],
    ids=["roc_auc", "average_precision", "ece", "select_threshold", "log_loss"],
)
def test_exact_metrics_need_at_most_three_times_the_input_memory(metric):
    """Peak extra memory on 2M float32 scores (all distinct: the worst case) and int64 labels.

    tracemalloc sees NumPy's allocations; the same code runs on every backend.
    """
    rng = np.random.default_rng(0)
    scores = rng.random(2_000_000, dtype=np.float32)
    labels = (rng.random(scores.shape[0]) < scores).astype(np.int64)
    tracemalloc.start()
    try:
        metric(labels, scores)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak <= 3 * (scores.nbytes + labels.nbytes), peak / (scores.nbytes + labels.nbytes)


@pytest.mark.parametrize(
    "metric",
    [
        lambda y, p: metrics.confusion_matrix(y, np.argmax(p, axis=1)),
        lambda y, p: metrics.log_loss(y, p),
        lambda y, p: metrics.brier_score_loss(y, p),
        lambda y, p: metrics.top_k_accuracy_score(y, p, k=3),
        lambda y, p: metrics.roc_auc_score(y, p, multi_class="ovr"),
        lambda y, p: metrics.roc_auc_score(y, p, multi_class="ovr", average="micro"),
        lambda y, p: metrics.roc_auc_score(y, p, multi_class="ovo"),
        lambda y, p: metrics.average_precision_score(y, p, average="micro"),
        lambda y, p: metrics.expected_calibration_error(y, p, multiclass="classwise"),
    ],
    ids=["confusion", "log_loss", "brier", "top_k", "ovr", "ovr_micro", "ovo", "ap_micro", "ece"],
)
def test_k_class_metrics_need_at_most_three_times_the_input_memory(metric):
    """Peak extra memory on 200 000 samples of 10 classes, float64 probabilities (all
    distinct) and int64 labels; the prediction of the confusion matrix is made before."""
    rng = np.random.default_rng(0)
    logits = rng.standard_normal((200_000, 10))
    proba = np.exp(logits) / np.sum(np.exp(logits), axis=1, keepdims=True)
    labels = rng.integers(0, 10, proba.shape[0])
    size = proba.nbytes + labels.nbytes
    metric(labels[:1000], proba[:1000])  # imports and caches outside the measure
    tracemalloc.start()
    try:
        metric(labels, proba)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak <= 3 * size, peak / size


def test_the_cross_backend_registry_covers_every_public_metric():
    """Adding a metric to xlogreg.metrics means adding its row to CASES."""
    public = {name for name in metrics.__all__ if inspect.isfunction(getattr(metrics, name))}
    covered = {case.split()[0] for case in CASES}
    assert public - covered == set(), "metrics without a row in CASES"
    assert covered - public == set(), "rows of CASES that name no public metric"


def test_every_public_metric_is_documented_with_an_example():
    for name in metrics.__all__:
        doc = inspect.getdoc(getattr(metrics, name))
        assert doc, name
        if inspect.isfunction(getattr(metrics, name)):
            assert ">>>" in doc, f"{name} has no example"
