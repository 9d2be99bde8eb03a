"""SGD with heavy-ball momentum and Adam: pure updates with explicit state.

``state = optimizer.init(w)`` and ``w, state = optimizer.update(w, grad, state, step)``
is the whole protocol (optax's, without the transformations). The state is
never modified in place, so a caller can keep an earlier ``(w, state)`` and
return to it.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

__all__ = ["SGD", "Adam", "make_optimizer"]


class SGD:
    """``v ← momentum·v − step·g``, ``w ← w + v``: stochastic gradient descent.

    With ``momentum=0`` the update is ``w ← w − step·g``.

    Examples
    --------
    >>> import array_api_strict as xp
    >>> from xlogreg.solvers._stochastic import SGD
    >>> sgd = SGD(momentum=0.0, xp=xp)
    >>> w, state = sgd.update(xp.asarray([1.0]), xp.asarray([2.0]), sgd.init(None), 0.25)
    >>> w
    Array([0.5], dtype=array_api_strict.float64)
    """

    def __init__(self, *, momentum: float, xp: ModuleType):
        self.momentum, self.xp = momentum, xp

    def init(self, w: Any) -> Any:
        """The state before the first step: no velocity yet."""
        return None

    def update(self, w: Any, grad: Any, state: Any, step: float) -> tuple[Any, Any]:
        """One step of length ``step`` along ``-grad``; returns ``(w, state)``."""
        velocity = grad * (-step)
        if self.momentum != 0.0 and state is not None:
            velocity = state * self.momentum + velocity
        return w + velocity, velocity


class Adam:
    """Adam (Kingma & Ba, 2015) with bias correction; ``β1=0.9``, ``β2=0.999``, ``ε=1e-8``.

    ``m ← β1·m + (1−β1)·g``, ``v ← β2·v + (1−β2)·g²``, and
    ``w ← w − step · m̂ / (√v̂ + ε)`` with ``m̂ = m / (1−β1ᵗ)``, ``v̂ = v / (1−β2ᵗ)``.
    Each coordinate moves by about ``step`` per update whatever its gradient's scale.

    Examples
    --------
    >>> import array_api_strict as xp
    >>> from xlogreg.solvers._stochastic import Adam
    >>> adam = Adam(xp=xp)
    >>> w, state = adam.update(xp.asarray([1.0]), xp.asarray([-3.0]), adam.init(xp.zeros(1)), 0.1)
    >>> w  # the first step moves by step, whatever the gradient's size
    Array([1.1], dtype=array_api_strict.float64)
    """

    beta1, beta2, eps = 0.9, 0.999, 1e-8

    def __init__(self, *, xp: ModuleType):
        self.xp = xp

    def init(self, w: Any) -> tuple[int, Any, Any]:
        """Step count zero and zero moment estimates shaped like ``w``."""
        return 0, self.xp.zeros_like(w), self.xp.zeros_like(w)

    def update(self, w: Any, grad: Any, state: Any, step: float) -> tuple[Any, Any]:
        """One Adam step of length ``step``; returns ``(w, state)``."""
        t, m, v = state
        t += 1
        m = m * self.beta1 + grad * (1.0 - self.beta1)
        v = v * self.beta2 + (grad * grad) * (1.0 - self.beta2)
        m_hat_step = step / (1.0 - self.beta1**t)
        root_v_hat = self.xp.sqrt(v * (1.0 / (1.0 - self.beta2**t)))
        return w - (m * m_hat_step) / (root_v_hat + self.eps), (t, m, v)


def make_optimizer(method: str, *, momentum: float, xp: ModuleType) -> SGD | Adam:
    """The optimizer that ``method`` (``"sgd"`` or ``"adam"``) names."""
    if method == "sgd":
        return SGD(momentum=momentum, xp=xp)
    if method == "adam":
        return Adam(xp=xp)
    raise ValueError(f"method must be 'sgd' or 'adam', got {method!r}")
