"""Metrics on 10M scores (1M with ``--quick``): xlogreg on NumPy, torch CPU and the GPU
against scikit-learn.

Same scores (float64, continuous, so nearly all distinct: the sort's worst
case) for every contender; GPU contenders get them on the device before the
clock starts and wait for the device inside the timed call. Medians of 2
rounds: scikit-learn's ranking metrics take seconds each at this size.

``test_peak_gpu_memory`` reports the peak extra device memory of the exact
scalar metrics on 100M float32 scores, as a multiple of the input's size.
"""

import numpy as np
import pytest

from xlogreg import metrics as xm

from devices import GPU_LIBRARIES, gpu
from problems import METRICS
from report import NOTES

N_SCORES = {"full": 10_000_000, "quick": 1_000_000}
ROUNDS = 2


@pytest.fixture(scope="module")
def scored(quick):
    n = N_SCORES["quick" if quick else "full"]
    rng = np.random.default_rng(0)
    y_prob = rng.random(n)
    y_true = (rng.random(n) < y_prob).astype(np.int64)
    return y_true, y_prob


def _time(timed, scored, metric, package, library, function, *arrays):
    n = scored[0].shape[0]
    timed(
        f"{metric} on {n // 1_000_000}M scores",
        package if package == "sklearn" else f"{package} {library}",
        function,
        *arrays,
        rounds=ROUNDS,
        kind="metric",
        package=package,
        library=library,
        reference=package == "sklearn",
    )


@pytest.mark.parametrize("metric", list(METRICS))
def test_sklearn(timed, scored, metric):
    _time(timed, scored, metric, "sklearn", "numpy", METRICS[metric][1], *scored)


@pytest.mark.parametrize("metric", list(METRICS))
def test_xlogreg_cpu(timed, scored, metric):
    _time(timed, scored, metric, "xlogreg", "numpy", METRICS[metric][0], *scored)


@pytest.mark.parametrize("metric", list(METRICS))
def test_xlogreg_torch_cpu(timed, scored, metric):
    torch = pytest.importorskip("torch")
    y_true, y_prob = (torch.from_numpy(a) for a in scored)
    _time(timed, scored, metric, "xlogreg", "torch-cpu", METRICS[metric][0], y_true, y_prob)


@pytest.mark.parametrize("library", GPU_LIBRARIES)
@pytest.mark.parametrize("metric", list(METRICS))
def test_xlogreg_gpu(timed, scored, metric, library):
    to_device, synchronize = gpu(library)
    y_true, y_prob = (to_device(a) for a in scored)
    synchronize()

    def evaluate_and_wait(y_true, y_prob):
        result = METRICS[metric][0](y_true, y_prob)
        synchronize()
        return result

    _time(timed, scored, metric, "xlogreg", library, evaluate_and_wait, y_true, y_prob)


@pytest.mark.parametrize(
    "metric",
    [
        xm.roc_auc_score,
        xm.average_precision_score,
        xm.expected_calibration_error,
        lambda y, p: xm.select_threshold(y, p, cost_fp=1.0, cost_fn=5.0),
    ],
    ids=["roc_auc_score", "average_precision_score", "expected_calibration_error", "select"],
)
def test_peak_gpu_memory(request, metric):
    """Peak extra CUDA memory on 100M float32 scores with int64 labels, over the input's size."""
    gpu("torch-cuda")
    import torch

    n = 100_000_000
    generator = torch.Generator(device="cuda").manual_seed(0)
    y_prob = torch.rand(n, device="cuda", generator=generator)
    y_true = (torch.rand(n, device="cuda", generator=generator) < y_prob).to(torch.int64)
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    baseline = torch.cuda.memory_allocated()
    metric(y_true, y_prob)
    torch.cuda.synchronize()
    extra = torch.cuda.max_memory_allocated() - baseline
    size = y_prob.nbytes + y_true.nbytes
    NOTES.append(
        f"peak extra CUDA memory, {request.node.callspec.id} on 100M float32 scores: "
        f"{extra / 2**30:.2f} GiB = {extra / size:.2f}x the input ({size / 2**30:.2f} GiB)"
    )
