"""``python -m xlogreg``: the library at work on every array library installed here.

First seed 000's lesson (eight access-change requests, gradient descent and the
exact optimum), then one synthetic problem fitted on each installed library
and device, with timings.
"""

from __future__ import annotations

import time

import numpy as np

from xlogreg import LogisticRegression
from xlogreg._backend import from_numpy, library_devices, to_numpy

# Seed 000: [intercept column, ambiguity, auto-policy support] -> needs review.
_REQUESTS = np.array(
    [[1.0, 1.0], [1.5, 2.0], [2.0, 3.0], [3.5, 6.0], [4.0, 7.0], [4.5, 5.0], [2.8, 4.0], [3.2, 8.0]]
)
_NEEDS_REVIEW = np.array([0, 0, 1, 1, 1, 1, 0, 0])


def _seed_lesson() -> None:
    X = np.c_[np.ones(len(_REQUESTS)), _REQUESTS]
    import warnings

    from xlogreg import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # 3000 epochs stop short, as taught
        gd = LogisticRegression(
            C=float("inf"), fit_intercept=False, solver="gd", learning_rate=0.2, max_iter=3000
        ).fit(X, _NEEDS_REVIEW)
    exact = LogisticRegression(C=float("inf"), fit_intercept=False, tol=1e-10).fit(X, _NEEDS_REVIEW)
    print("seed 000: eight access-change requests")
    print(f"  gradient descent, lr=0.2, 3000 epochs: w = {np.round(gd.coef_[0], 3)}")
    print(
        f"  loss after epoch 1: {gd.loss_history_[1]:.4f}, after 3000: {gd.loss_history_[-1]:.4f}"
    )
    print(f"  exact optimum ({exact.n_iter_} Newton steps):   w = {np.round(exact.coef_[0], 3)}")


def _synthetic(n_samples: int = 200_000, n_features: int = 32) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n_samples, n_features))
    logits = X @ rng.standard_normal(n_features) / np.sqrt(n_features) + 0.5
    return X, (rng.random(n_samples) < 1.0 / (1.0 + np.exp(-logits))).astype(np.int64)


def main() -> None:
    """Run the demonstration and print its report."""
    _seed_lesson()
    X, y = _synthetic()
    print(f"\nsynthetic problem: {X.shape[0]:,} x {X.shape[1]}, C=1, tol=1e-8")
    for library, device in library_devices():
        for dtype in (np.float64, np.float32):
            if device == "mps" and dtype == np.float64:
                continue
            Xd, yd = from_numpy(X.astype(dtype), library, device), from_numpy(y, library, device)
            start = time.perf_counter()
            model = LogisticRegression(tol=1e-8).fit(Xd, yd)
            accuracy = model.score(Xd, yd)
            seconds = time.perf_counter() - start
            head = np.round(to_numpy(model.coef_)[0, :3], 4)
            print(
                f"  {library:5s} {device:4s} {np.dtype(dtype).name}: {seconds:6.3f} s, "
                f"{model.n_iter_} iterations, accuracy {accuracy:.4f}, coef[:3] {head}"
            )


if __name__ == "__main__":
    main()
