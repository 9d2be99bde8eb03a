"""Mini-batch training: SGD and Adam over batches streamed to the compute device.

:class:`BatchPlan` draws the validation split and each epoch's batches on the
host; :class:`DeviceBatches` and :class:`HostBatches` deliver them on the
compute device (the latter from host or memory-mapped NumPy arrays, one batch
ahead on a background thread); :func:`minibatch` runs the epochs.
"""

from xlogreg.solvers._stochastic._batches import (
    SEGMENTS_PER_BATCH,
    BatchPlan,
    DeviceBatches,
    HostBatches,
    make_batches,
)
from xlogreg.solvers._stochastic._loop import STOCHASTIC_METHODS, MinibatchResult, minibatch
from xlogreg.solvers._stochastic._optimizers import SGD, Adam

__all__ = [
    "SEGMENTS_PER_BATCH",
    "SGD",
    "STOCHASTIC_METHODS",
    "Adam",
    "BatchPlan",
    "DeviceBatches",
    "HostBatches",
    "MinibatchResult",
    "make_batches",
    "minibatch",
]
