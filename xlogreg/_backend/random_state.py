"""Random numbers: drawn on the host by a NumPy ``Generator``, whatever the device.

Same seed, same draws on every backend: shuffles and splits are drawn on the
host, and the rows they pick move to the device.
"""

from __future__ import annotations

from typing import Any


def check_random_state(random_state: Any) -> None:
    """Check a ``random_state`` argument: ``None``, an integer ``>= 0`` or a NumPy ``Generator``.

    Raises
    ------
    TypeError
        If it is none of those.
    ValueError
        If it is a negative integer.
    """
    import numbers

    if random_state is None:
        return
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ValueError(f"random_state must be >= 0, got {random_state!r}")
        return
    import numpy as np

    if not isinstance(random_state, np.random.Generator):
        raise TypeError(
            "random_state must be None, a non-negative integer or a numpy.random.Generator, "
            f"got {random_state!r}"
        )


def host_generator(random_state: Any) -> Any:
    """The NumPy ``Generator`` behind host-side shuffling: same seed, same draws everywhere.

    ``None`` seeds a fresh generator from the operating system, an integer
    seeds one deterministically, and a ``Generator`` is used as it is (so two
    fits with it draw different numbers, as in scikit-learn).

    Examples
    --------
    >>> from xlogreg._backend import host_generator
    >>> host_generator(0).permutation(4).tolist() == host_generator(0).permutation(4).tolist()
    True
    """
    import numpy as np

    check_random_state(random_state)
    if isinstance(random_state, np.random.Generator):
        return random_state
    return np.random.default_rng(random_state)
