"""Metrics for K = 10 classes on 10M samples (1M with ``--quick``): xlogreg on NumPy,
torch CPU and the GPU against scikit-learn, and xlogreg's peak extra memory on NumPy.

Same data for every contender (NumPy, seed 0): labels 0…9 drawn uniformly,
float64 probabilities that are the softmax of standard normal logits with
``SIGNAL`` added to the true class's (rows sum to one, as ``log_loss`` and
``brier_score_loss`` check), predictions their argmax. Label metrics take
``(y_true, y_pred)``, the others ``(y_true, y_prob)``; torch and GPU contenders
get them as tensors before the clock starts. Medians of 2 rounds after a
warm-up, except for the metrics in ``ONCE``, which take scikit-learn tens of
seconds at 10M: one round, no warm-up, for every contender.

Memory: after its timing, each xlogreg metric on NumPy runs once more under
``tracemalloc`` (NumPy reports its array allocations to it); the peak traced
memory above what was traced before the call goes to the row's details with the
size of its inputs (``y_true`` and ``y_pred``, or ``y_true`` and ``y_prob``).
Issue 19 bounds it at 3× the inputs. torch CPU keeps no allocation statistics,
so it is not measured.
"""

import gc
import tracemalloc

import numpy as np
import pytest

from devices import GPU_LIBRARIES, gpu
from problems import MULTICLASS_METRICS

N_SAMPLES = {"full": 10_000_000, "quick": 1_000_000}
N_CLASSES = 10
SIGNAL = 1.5  # added to the true class's logit: accuracy about 0.5, far from chance (0.1)
ROUNDS = 2
ONCE = {"roc_auc_score (ovr)", "roc_auc_score (ovo)", "average_precision_score (macro)"}


@pytest.fixture(scope="module")
def classified(quick):
    """``{"y_true": ..., "y_pred": ..., "y_prob": ...}``, NumPy."""
    n = N_SAMPLES["quick" if quick else "full"]
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, N_CLASSES, n)
    y_prob = rng.standard_normal((n, N_CLASSES))
    y_prob[np.arange(n), y_true] += SIGNAL
    y_prob -= y_prob.max(axis=1, keepdims=True)
    np.exp(y_prob, out=y_prob)
    y_prob /= y_prob.sum(axis=1, keepdims=True)
    return {"y_true": y_true, "y_pred": y_prob.argmax(axis=1), "y_prob": y_prob}


def _inputs(classified, metric):
    return classified["y_true"], classified[MULTICLASS_METRICS[metric][2]]


def _time(timed, classified, metric, package, library, function, *arrays):
    n = classified["y_true"].shape[0]
    once = metric in ONCE
    timed(
        f"{metric} on {n // 1_000_000}M x {N_CLASSES} classes",
        package if package == "sklearn" else f"{package} {library}",
        function,
        *arrays,
        rounds=1 if once else ROUNDS,
        warmup=not once,
        kind="metric",
        package=package,
        library=library,
        reference=package == "sklearn",
    )


def _peak_extra_bytes(function, *arrays):
    """Peak memory traced during ``function(*arrays)`` above what was traced before it."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        function(*arrays)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak - before


@pytest.mark.parametrize("metric", list(MULTICLASS_METRICS))
def test_sklearn(timed, classified, metric):
    function = MULTICLASS_METRICS[metric][1]
    _time(timed, classified, metric, "sklearn", "numpy", function, *_inputs(classified, metric))


@pytest.mark.parametrize("metric", list(MULTICLASS_METRICS))
def test_xlogreg_cpu(timed, classified, metric):
    function, arrays = MULTICLASS_METRICS[metric][0], _inputs(classified, metric)
    _time(timed, classified, metric, "xlogreg", "numpy", function, *arrays)
    timed.record(
        peak_extra_bytes=_peak_extra_bytes(function, *arrays),
        input_bytes=sum(int(a.nbytes) for a in arrays),
    )


@pytest.mark.parametrize("metric", list(MULTICLASS_METRICS))
def test_xlogreg_torch_cpu(timed, classified, metric):
    torch = pytest.importorskip("torch")
    arrays = [torch.from_numpy(a) for a in _inputs(classified, metric)]
    function = MULTICLASS_METRICS[metric][0]
    _time(timed, classified, metric, "xlogreg", "torch-cpu", function, *arrays)


@pytest.mark.parametrize("library", GPU_LIBRARIES)
@pytest.mark.parametrize("metric", list(MULTICLASS_METRICS))
def test_xlogreg_gpu(timed, classified, metric, library):
    to_device, synchronize = gpu(library)
    arrays = [to_device(a) for a in _inputs(classified, metric)]
    synchronize()

    def evaluate_and_wait(*arrays):
        result = MULTICLASS_METRICS[metric][0](*arrays)
        synchronize()
        return result

    _time(timed, classified, metric, "xlogreg", library, evaluate_and_wait, *arrays)
