"""xlogreg.metrics on Dask arrays held by a ``dask.distributed`` cluster of two worker processes.

Every metric that takes Dask arrays gives the NumPy result on the same data (float64 to
1e-12, float32 scores to a few float32 ulps) and agrees with scikit-learn where the property
tests (tests/metrics/strategies.py) compare with it. The data have uneven row chunks (37 rows
over 500), weights with zeros (a whole chunk of them), tied scores, a positive label other
than 1 and chunks holding one class only. Bad input raises the NumPy path's errors; metrics whose
result is as long as the data refuse Dask arrays before any work; and only small results,
O(chunks + ranges) of them, reach the client.
"""

import numpy as np
import pytest
from sklearn import calibration as sk_calibration
from sklearn import metrics as skm

from tests.backends import leaves
from xlogreg import metrics
from xlogreg.metrics import _dask as dask_metrics

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")
sizeof = pytest.importorskip("dask.sizeof").sizeof

N = 500
ROWS = 37  # 13 chunks of 37 rows and one of 19
RNG = np.random.default_rng(11)
Y = RNG.integers(0, 2, N)
Y[ROWS : 2 * ROWS] = 1  # a chunk of positives only
Y[13 * ROWS :] = 0  # the last chunk: negatives only
# Scores on a grid of 1/32: ties within and across chunks.
SCORE = np.round(np.clip(0.35 * Y + 0.65 * RNG.random(N), 0, 1) * 32) / 32
PROB = np.clip(SCORE, 0.02, 0.98)
PRED = (SCORE >= 0.5).astype(np.int64)
WEIGHT = RNG.random(N) * (RNG.random(N) > 0.1)
WEIGHT[2 * ROWS : 3 * ROWS] = 0.0  # a chunk that weighs nothing
LABELS = np.where(Y == 1, 3, 7)  # the positive label 3 is the lesser one
TARGET = RNG.standard_normal((N, 2))
PREDICTION = TARGET + 0.3 * RNG.standard_normal((N, 2))
GRID = np.linspace(0, 1, 21)
# Four classes named 2, 5, 7, 9; one chunk of class 5 only; rows of 32nds summing to one.
CLASSES = np.array([2, 5, 7, 9])[RNG.integers(0, 4, N)]
CLASSES[3 * ROWS : 4 * ROWS] = 5
CLASS_PRED = np.where(RNG.random(N) < 0.6, CLASSES, 7)
CLASS_PROBA = RNG.multinomial(24, [0.25] * 4, N) / 32 + (CLASSES[:, None] == [2, 5, 7, 9]) / 4


@pytest.fixture(autouse=True)
def _small_ranges(monkeypatch):
    """Ranges of scores as small as 170 samples: these 500 samples make 3 ranges, as 3
    million would by default (and 100 000 samples in 10 chunks make 10)."""
    monkeypatch.setattr(dask_metrics, "_MIN_RANGE_ROWS", 170)


def _dask(a):
    return da.from_array(np.asarray(a), chunks=(ROWS, *np.shape(a)[1:]))


# name -> (call taking an array converter, scikit-learn's result on the NumPy data or None)
CASES = {
    "log_loss": (
        lambda a: metrics.log_loss(a(Y), a(PROB), sample_weight=a(WEIGHT)),
        lambda: skm.log_loss(Y, PROB, sample_weight=WEIGHT),
    ),
    "log_loss sum, pos_label=3": (
        lambda a: metrics.log_loss(a(LABELS), a(PROB), normalize=False, pos_label=3),
        lambda: skm.log_loss(Y, PROB, normalize=False),
    ),
    "log_loss_from_logits": (
        lambda a: metrics.log_loss_from_logits(a(Y), a(8 * SCORE - 4), sample_weight=a(WEIGHT)),
        None,
    ),
    "brier_score_loss pos_label=3": (
        lambda a: metrics.brier_score_loss(a(LABELS), a(SCORE), pos_label=3),
        lambda: skm.brier_score_loss(LABELS, SCORE, pos_label=3),
    ),
    "confusion_matrix": (
        lambda a: metrics.confusion_matrix(a(Y), a(PRED)),
        lambda: skm.confusion_matrix(Y, PRED),
    ),
    "confusion_matrix weighted normalized": (
        lambda a: metrics.confusion_matrix(
            a(Y), a(PRED), sample_weight=a(WEIGHT), normalize="pred"
        ),
        lambda: skm.confusion_matrix(Y, PRED, sample_weight=WEIGHT, normalize="pred"),
    ),
    "f1_score": (lambda a: metrics.f1_score(a(Y), a(PRED)), lambda: skm.f1_score(Y, PRED)),
    "recall_score": (
        lambda a: metrics.recall_score(a(Y), a(PRED), sample_weight=a(WEIGHT)),
        lambda: skm.recall_score(Y, PRED, sample_weight=WEIGHT),
    ),
    "fbeta_score": (
        lambda a: metrics.fbeta_score(a(Y), a(PRED), beta=0.5),
        lambda: skm.fbeta_score(Y, PRED, beta=0.5),
    ),
    "precision_score pos_label=3": (
        lambda a: metrics.precision_score(
            a(LABELS), a(np.where(PRED == 1, 3, 7)), pos_label=3, sample_weight=a(WEIGHT)
        ),
        None,
    ),
    "accuracy_score": (
        lambda a: metrics.accuracy_score(a(Y), a(PRED), sample_weight=a(WEIGHT)),
        lambda: skm.accuracy_score(Y, PRED, sample_weight=WEIGHT),
    ),
    "balanced_accuracy_score": (
        lambda a: metrics.balanced_accuracy_score(a(Y), a(PRED), adjusted=True),
        lambda: skm.balanced_accuracy_score(Y, PRED, adjusted=True),
    ),
    "matthews_corrcoef": (
        lambda a: metrics.matthews_corrcoef(a(Y), a(PRED), sample_weight=a(WEIGHT)),
        lambda: skm.matthews_corrcoef(Y, PRED, sample_weight=WEIGHT),
    ),
    "roc_auc_score": (
        lambda a: metrics.roc_auc_score(a(Y), a(SCORE)),
        lambda: skm.roc_auc_score(Y, SCORE),
    ),
    "roc_auc_score weighted, pos_label=3": (
        lambda a: metrics.roc_auc_score(a(LABELS), a(-SCORE), sample_weight=a(WEIGHT), pos_label=3),
        lambda: skm.roc_auc_score(LABELS == 3, -SCORE, sample_weight=WEIGHT),
    ),
    "roc_auc_score, every score tied": (
        lambda a: metrics.roc_auc_score(a(Y), a(np.full(N, 0.25))),
        lambda: skm.roc_auc_score(Y, np.full(N, 0.25)),
    ),
    "roc_auc_score max_fpr": (
        lambda a: metrics.roc_auc_score(a(Y), a(SCORE), sample_weight=a(WEIGHT), max_fpr=0.3),
        lambda: skm.roc_auc_score(Y, SCORE, sample_weight=WEIGHT, max_fpr=0.3),
    ),
    "average_precision_score pos_label=0": (
        lambda a: metrics.average_precision_score(
            a(Y), a(-SCORE), pos_label=0, sample_weight=a(WEIGHT)
        ),
        lambda: skm.average_precision_score(Y, -SCORE, pos_label=0, sample_weight=WEIGHT),
    ),
    "select_threshold": (
        lambda a: metrics.select_threshold(
            a(Y), a(SCORE), cost_fp=1.0, cost_fn=3.0, sample_weight=a(WEIGHT)
        ),
        None,
    ),
    "threshold_sweep": (
        lambda a: metrics.threshold_sweep(a(Y), a(SCORE), GRID, cost_fp=1.0, cost_fn=4.0),
        None,
    ),
    "threshold_sweep weighted, NumPy weights": (
        lambda a: metrics.threshold_sweep(a(Y), a(SCORE), GRID[::-1], sample_weight=WEIGHT),
        None,
    ),
    "calibration_curve": (
        lambda a: metrics.calibration_curve(a(Y), a(SCORE), n_bins=7),
        lambda: sk_calibration.calibration_curve(Y, SCORE, n_bins=7),
    ),
    "calibration_curve quantile": (
        lambda a: metrics.calibration_curve(a(Y), a(SCORE), n_bins=6, strategy="quantile"),
        lambda: sk_calibration.calibration_curve(Y, SCORE, n_bins=6, strategy="quantile"),
    ),
    "expected_calibration_error": (
        lambda a: metrics.expected_calibration_error(
            a(Y), a(SCORE), sample_weight=a(WEIGHT), norm="l2"
        ),
        None,
    ),
    "expected_calibration_error quantile": (
        lambda a: metrics.expected_calibration_error(
            a(Y), a(SCORE), n_bins=8, strategy="quantile", norm="max"
        ),
        None,
    ),
    "confusion_matrix 4 classes": (
        lambda a: metrics.confusion_matrix(a(CLASSES), a(CLASS_PRED), sample_weight=a(WEIGHT)),
        lambda: skm.confusion_matrix(CLASSES, CLASS_PRED, sample_weight=WEIGHT),
    ),
    "precision_recall_fscore_support 4 classes": (
        lambda a: metrics.precision_recall_fscore_support(a(CLASSES), a(CLASS_PRED)),
        lambda: skm.precision_recall_fscore_support(CLASSES, CLASS_PRED, zero_division=0),
    ),
    "cohen_kappa_score 4 classes": (
        lambda a: metrics.cohen_kappa_score(a(CLASSES), a(CLASS_PRED), weights="linear"),
        lambda: skm.cohen_kappa_score(CLASSES, CLASS_PRED, weights="linear"),
    ),
    "log_loss 4 classes": (
        lambda a: metrics.log_loss(a(CLASSES), a(CLASS_PROBA), sample_weight=a(WEIGHT)),
        lambda: skm.log_loss(CLASSES, CLASS_PROBA, sample_weight=WEIGHT),
    ),
    "brier_score_loss 4 classes": (
        lambda a: metrics.brier_score_loss(a(CLASSES), a(CLASS_PROBA)),
        lambda: skm.brier_score_loss(CLASSES, CLASS_PROBA),
    ),
    "top_k_accuracy_score": (
        lambda a: metrics.top_k_accuracy_score(a(CLASSES), a(CLASS_PROBA), k=2),
        lambda: skm.top_k_accuracy_score(CLASSES, CLASS_PROBA, k=2),
    ),
    "roc_auc_score ovr weighted": (
        lambda a: metrics.roc_auc_score(
            a(CLASSES),
            a(CLASS_PROBA),
            multi_class="ovr",
            average="weighted",
            sample_weight=a(WEIGHT),
        ),
        lambda: skm.roc_auc_score(
            CLASSES, CLASS_PROBA, multi_class="ovr", average="weighted", sample_weight=WEIGHT
        ),
    ),
    "roc_auc_score ovr micro": (
        lambda a: metrics.roc_auc_score(
            a(CLASSES), a(CLASS_PROBA), multi_class="ovr", average="micro"
        ),
        lambda: skm.roc_auc_score(CLASSES, CLASS_PROBA, multi_class="ovr", average="micro"),
    ),
    "average_precision_score 4 classes": (
        lambda a: metrics.average_precision_score(a(CLASSES), a(CLASS_PROBA), average=None),
        lambda: skm.average_precision_score(CLASSES, CLASS_PROBA, average=None),
    ),
    "expected_calibration_error top label": (
        lambda a: metrics.expected_calibration_error(
            a(CLASSES), a(CLASS_PROBA), n_bins=5, strategy="quantile"
        ),
        None,
    ),
    "expected_calibration_error classwise": (
        lambda a: metrics.expected_calibration_error(
            a(CLASSES), a(CLASS_PROBA), sample_weight=a(WEIGHT), multiclass="classwise"
        ),
        None,
    ),
    "mean_squared_error": (
        lambda a: metrics.mean_squared_error(a(TARGET), a(PREDICTION), multioutput="raw_values"),
        lambda: skm.mean_squared_error(TARGET, PREDICTION, multioutput="raw_values"),
    ),
    "mean_absolute_error": (
        lambda a: metrics.mean_absolute_error(
            a(TARGET[:, 0]), a(PREDICTION[:, 0]), sample_weight=a(WEIGHT)
        ),
        lambda: skm.mean_absolute_error(TARGET[:, 0], PREDICTION[:, 0], sample_weight=WEIGHT),
    ),
    "r2_score": (
        lambda a: metrics.r2_score(
            a(TARGET), a(PREDICTION), sample_weight=a(WEIGHT), multioutput="variance_weighted"
        ),
        lambda: skm.r2_score(
            TARGET, PREDICTION, sample_weight=WEIGHT, multioutput="variance_weighted"
        ),
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_dask_arrays_give_the_numpy_result(dask_client, name):
    call, reference = CASES[name]
    expected = leaves(call(np.asarray))
    actual = leaves(call(_dask))
    assert len(actual) == len(expected)
    for got, want in zip(actual, expected, strict=True):
        assert type(got) is np.ndarray
        assert (got.dtype, got.shape) == (want.dtype, want.shape)
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)
    if reference is not None:
        for got, want in zip(actual, leaves(reference()), strict=True):
            np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


FLOAT32 = [
    "log_loss",
    "roc_auc_score weighted, pos_label=3",
    "select_threshold",
    "threshold_sweep",
    "calibration_curve quantile",
    "expected_calibration_error",
]


def _float32(a):
    a = np.asarray(a)
    return a.astype(np.float32) if a.dtype == np.float64 else a


@pytest.mark.parametrize("name", FLOAT32)
def test_float32_scores_give_the_numpy_float32_result(dask_client, name):
    """Sums accumulate in float64 on both paths: only the last rounding to float32 may
    differ, by an ulp or so."""
    call, _ = CASES[name]
    expected = leaves(call(_float32))
    actual = leaves(call(lambda a: _dask(_float32(a))))
    assert any(want.dtype == np.float32 for want in expected)
    for got, want in zip(actual, expected, strict=True):
        assert type(got) is np.ndarray
        assert (got.dtype, got.shape) == (want.dtype, want.shape)
        np.testing.assert_allclose(got, want, rtol=4e-7, atol=0)


def test_chunks_of_unknown_size_and_a_single_chunk(dask_client):
    """Row chunks from a DataFrame or a boolean mask have unknown sizes; one chunk is one range."""
    kept = _dask(Y)[_dask(SCORE) >= 0]
    assert np.isnan(kept.chunks[0][0])
    auc = metrics.roc_auc_score(kept, _dask(SCORE))
    np.testing.assert_allclose(auc, metrics.roc_auc_score(Y, SCORE), rtol=1e-12)
    whole = da.from_array(SCORE, chunks=N)
    np.testing.assert_allclose(
        metrics.average_precision_score(Y, whole), metrics.average_precision_score(Y, SCORE)
    )


ERRORS = {
    "lengths": lambda a: metrics.roc_auc_score(a(Y), a(SCORE[:-1])),
    "NaN score": lambda a: metrics.log_loss(a(Y), a(np.where(Y == 1, PROB, np.nan))),
    "infinite logit": lambda a: metrics.log_loss_from_logits(a(Y), a(np.where(Y, np.inf, 0.0))),
    "labels not binary": lambda a: metrics.roc_auc_score(a(Y + PRED), a(SCORE)),
    "NaN label": lambda a: metrics.brier_score_loss(a(np.where(Y == 1, np.nan, 0.0)), a(SCORE)),
    "probabilities": lambda a: metrics.brier_score_loss(a(Y), a(SCORE - 0.5)),
    "no negative": lambda a: metrics.roc_auc_score(a(np.ones(N)), a(SCORE)),
    "pos_label": lambda a: metrics.log_loss(a(LABELS), a(PROB)),
    "negative weight": lambda a: metrics.f1_score(a(Y), a(PRED), sample_weight=a(-WEIGHT)),
    "predictions not binary": lambda a: metrics.f1_score(a(Y), a(PRED + 1)),
    "NaN target": lambda a: metrics.r2_score(a(TARGET), a(PREDICTION + np.nan)),
    "target shapes": lambda a: metrics.mean_squared_error(a(TARGET), a(PREDICTION[:, 0])),
    "rows not summing to one": lambda a: metrics.log_loss(a(CLASSES), a(CLASS_PROBA * 0.9)),
    "classes and columns": lambda a: metrics.log_loss(a(CLASSES), a(CLASS_PROBA[:, :3])),
    "label not in labels": lambda a: metrics.roc_auc_score(
        a(CLASSES), a(CLASS_PROBA), multi_class="ovr", labels=[2, 5, 7, 8]
    ),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_bad_input_raises_the_numpy_error(dask_client, name):
    call = ERRORS[name]
    with pytest.raises((ValueError, TypeError)) as numpy_error:
        call(np.asarray)
    with pytest.raises(numpy_error.type) as dask_error:
        call(_dask)
    assert str(dask_error.value) == str(numpy_error.value)


def test_many_labels_are_named_with_a_lower_bound_of_their_number(dask_client):
    """Each chunk keeps its 1024 smallest labels: more than that are counted "at least"."""
    many = da.from_array(np.arange(3000), chunks=1500)
    probabilities = da.from_array(np.linspace(0, 1, 3000), chunks=1500)
    with pytest.raises(ValueError, match=r"binary .* got at least 2\d\d\d labels: 0, 1, 2, 3, 4, "):
        metrics.log_loss(many, probabilities)
    with pytest.raises(ValueError, match=r"at least 2\d\d\d distinct labels; .* at most 1024"):
        metrics.confusion_matrix(many, many)


REFUSED = {
    "roc_auc_score ovo": (
        lambda y, s: metrics.roc_auc_score(_dask(CLASSES), _dask(CLASS_PROBA), multi_class="ovo"),
        TypeError,
        "multi_class='ovr' takes them",
    ),
    "roc_curve": (lambda y, s: metrics.roc_curve(y, s), TypeError, "roc_curve does not take Dask"),
    "precision_recall_curve": (
        lambda y, s: metrics.precision_recall_curve(y, s),
        TypeError,
        "average_precision_score takes them",
    ),
    "det_curve": (lambda y, s: metrics.det_curve(y, s), TypeError, r"compute\(\)"),
    "threshold_sweep": (
        lambda y, s: metrics.threshold_sweep(y, s),
        ValueError,
        "needs thresholds=",
    ),
    "threshold_sweep, thresholds on Dask": (
        lambda y, s: metrics.threshold_sweep(y, s, _dask(GRID)),
        TypeError,
        "thresholds is a Dask array",
    ),
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_refused_before_any_work(dask_client, gathered, name):
    """Results as long as the data, and thresholds on Dask, are refused: nothing is computed."""
    call, error, message = REFUSED[name]
    with pytest.raises(error, match=message):
        call(_dask(Y), SCORE)
    assert gathered == []


def _persisted(client, a, n_chunks):
    return client.persist(da.from_array(a, chunks=a.shape[0] // n_chunks))


@pytest.mark.parametrize(
    "metric",
    [
        lambda y, s: metrics.roc_auc_score(y, s),
        lambda y, s: metrics.log_loss(y, s),
    ],
    ids=["roc_auc_score", "log_loss"],
)
def test_only_small_results_reach_the_client(dask_client, gathered, metric):
    """Twice the data in as many chunks (10, and 10 ranges of scores): as much reaches the
    client, and that is a small share of the data, about 3 kB per chunk and range."""
    rng = np.random.default_rng(0)
    received = []
    for n in (50_000, 100_000):
        score = rng.random(n)
        labels = (rng.random(n) < score).astype(np.int64)
        y, s = _persisted(dask_client, labels, 10), _persisted(dask_client, score, 10)
        gathered.clear()
        metric(y, s)
        received.append(sum(gathered))
    assert received[1] <= 1.25 * received[0]
    assert received[1] <= 3000 * (10 + 10)
    assert received[1] <= (labels.nbytes + score.nbytes) / 25
