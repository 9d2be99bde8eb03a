"""Epoch efficiency: one full-batch loss and gradient against the memory-bound floor.

A full-batch gradient of the logistic loss reads X at least once (the design's
performance principles). On the same X, per library and dtype, this times one
``objective.loss_grad(w)`` of :class:`xlogreg.objectives.Binomial` (built and
called through its public interface, so changes to the numerics show up here
unchanged), one ``X @ v`` (the reference), one ``r @ X``, and the fastest
streaming reads of X we know: ``torch.sum`` (torch's threads, over the same
memory via ``torch.from_numpy`` for NumPy data) and NumPy's ``X.sum()``. The
table reports each as a multiple of one ``X @ v`` and of the best streaming
read.

Data: 1M x 64 (200k x 64 with ``--quick``), NumPy and torch CPU, float64 and
float32; torch CUDA and CuPy float32 where there is a GPU.
"""

from __future__ import annotations

import array_api_compat
import numpy as np
import pytest

from xlogreg.objectives import Binomial

from devices import gpu

SHAPES = {"full": (1_000_000, 64), "quick": (200_000, 64)}
BACKENDS = [
    ("numpy", "float64"),
    ("numpy", "float32"),
    ("torch-cpu", "float64"),
    ("torch-cpu", "float32"),
    ("torch-cuda", "float32"),
    ("cupy", "float32"),
]
OPERATIONS = ("loss_grad", "gemv", "gemv_t", "torch-sum", "array-sum")
LABELS = {
    "loss_grad": "Binomial.loss_grad(w)",
    "gemv": "X @ v (gemv)",
    "gemv_t": "r @ X (transposed gemv)",
    "torch-sum": "torch.sum(X) (streaming read)",
    "array-sum": "X.sum() in NumPy (streaming read)",
}
STREAMING = ("torch-sum", "array-sum")


@pytest.fixture(scope="module")
def setups(host_data):
    """One :class:`Setup` per library and dtype, made when first asked for."""
    made: dict[tuple[str, str], Setup] = {}

    def setup(library: str, dtype: str) -> Setup:
        if (library, dtype) not in made:
            made[library, dtype] = Setup(host_data, library, dtype)
        return made[library, dtype]

    return setup


@pytest.fixture(scope="module")
def host_data(quick):
    n, d = SHAPES["quick" if quick else "full"]
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, d))
    w = rng.standard_normal(d + 1) / np.sqrt(d)
    y = (rng.random(n) < 1 / (1 + np.exp(-(X @ w[:-1] + w[-1])))).astype(np.float64)
    return X, y, w


class Setup:
    """X, y, w and the objective on one library and dtype, with its synchronize."""

    def __init__(self, host_data, library: str, dtype: str) -> None:
        X, y, w = (a.astype(dtype, copy=False) for a in host_data)
        self.synchronize = lambda: None
        if library == "numpy":
            to_library = np.asarray
        elif library == "torch-cpu":
            torch = pytest.importorskip("torch")
            to_library = torch.from_numpy
        else:
            to_library, self.synchronize = gpu(library)
        self.library = library
        self.X, y, self.w = to_library(X), to_library(y), to_library(w)
        xp = array_api_compat.array_namespace(self.X)
        self.v = self.w[:-1]
        self.r = y - 0.5
        ones = xp.ones_like(y)
        self.objective = Binomial(self.X, y, ones, l2=1.0, fit_intercept=True, xp=xp)
        self.synchronize()

    def operation(self, name: str):
        """A no-argument callable that performs ``name`` once and waits for the device."""
        X, sync = self.X, self.synchronize
        if name == "loss_grad":
            objective, w = self.objective, self.w
            return lambda: (objective.loss_grad(w), sync())
        if name == "gemv":
            return lambda: (X @ self.v, sync())
        if name == "gemv_t":
            return lambda: (self.r @ X, sync())
        if name == "torch-sum":
            if self.library == "cupy":
                pytest.skip("CuPy's own sum is the streaming read on CuPy data")
            torch = pytest.importorskip("torch")
            tensor = torch.from_numpy(X) if self.library == "numpy" else X
            return lambda: (torch.sum(tensor), sync())
        if self.library == "torch-cuda":
            pytest.skip("torch.sum is the streaming read on torch CUDA data")
        array = X.numpy() if self.library == "torch-cpu" else X  # the same memory
        return lambda: (array.sum(), sync())


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize(("library", "dtype"), BACKENDS)
def test_epoch(timed, host_data, setups, library, dtype, operation):
    setup = setups(library, dtype)
    n, d = host_data[0].shape
    rows = f"{n // 1_000_000}M" if n >= 1_000_000 else f"{n // 1000}k"
    group = f"epoch {rows} x {d} {library} {dtype}"
    label = LABELS[operation].replace("NumPy", "CuPy") if library == "cupy" else LABELS[operation]
    timed(
        group,
        label,
        setup.operation(operation),
        kind="epoch",
        operation=operation,
        library=library,
        dtype=dtype,
        reference=operation == "gemv",
        stream=operation in STREAMING,
    )
