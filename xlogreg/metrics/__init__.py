"""Evaluation metrics written once against the array API.

Every metric takes arrays of any supported library and device (NumPy, torch on
CPU/CUDA/MPS, CuPy, JAX, ...) and returns its result in that library and on that
device: 0-d arrays for scalars, never a host copy of the data. Names, arguments
and results follow scikit-learn where it has the function, for binary targets
(``pos_label`` names the positive label when it is not 1) and for any number of
classes: K × K confusion matrices, averaged precision, recall and F-scores,
(n_samples, K) probabilities and scores (log loss, Brier, top-k accuracy,
one-vs-rest and one-vs-one ROC AUC, average precision, top-label and
class-wise calibration error).

Dtypes: results of score metrics come in the scores' dtype (float32 stays
float32); results of label metrics, and all sums along the way, in the widest
float of the device (float64, or float32 on devices without it: MPS, JAX
without x64). Unweighted counts are exact integers: int64, or int32 where the
device has no 64-bit integers (JAX without x64).

Bad input raises before any work: ``ValueError`` naming the argument for
empty input, length mismatches, labels that are not binary where the metric is,
NaN or infinite scores, probabilities outside [0, 1] or rows of them not summing
to one, a number of columns other than the number of classes, labels outside
``labels=``, negative weights, or a missing class where the metric needs it;
``TypeError`` for inputs from different libraries.

Dask arrays (row chunks of NumPy or CuPy arrays, maybe held by the workers of a
``dask.distributed`` cluster) are taken by every metric whose result is small:
the log losses, the Brier score, top-k accuracy, the confusion matrix and the
label metrics, ROC AUC (``max_fpr`` and one-vs-rest too), average precision,
``threshold_sweep`` at given
``thresholds``, ``select_threshold``, ``calibration_curve`` and
``expected_calibration_error`` (both strategies) and the regression metrics.
They are computed exactly, where the chunks live: sums over samples chunk by
chunk, and the metrics of the sorted scores over ranges of score values moved
between the workers; only results of about the number of chunks come back, the
data never do. The call is eager: it returns computed arrays of the chunks'
library (NumPy arrays, 0-d for scalars), not Dask arrays. Other arrays given
with Dask arrays (sample weights, say) must be of the chunks' library. Length
and shape errors are raised before any work; the data-dependent ones (labels,
NaN, weights) after one pass over the chunks, with the same messages. The
curves (``roc_curve``, ``precision_recall_curve``, ``det_curve``) and
``threshold_sweep`` without ``thresholds`` have a result as long as the data and
refuse Dask arrays, as does the one-vs-one ROC AUC.
"""

from xlogreg.metrics._calibration import (
    CalibrationError,
    ReliabilityBins,
    calibration_curve,
    expected_calibration_error,
)
from xlogreg.metrics._class_ranking import top_k_accuracy_score
from xlogreg.metrics._classification import (
    accuracy_score,
    balanced_accuracy_score,
    cohen_kappa_score,
    confusion_matrix,
    matthews_corrcoef,
)
from xlogreg.metrics._fscores import (
    f1_score,
    fbeta_score,
    precision_recall_fscore_support,
    precision_score,
    recall_score,
)
from xlogreg.metrics._probabilistic import brier_score_loss, log_loss, log_loss_from_logits
from xlogreg.metrics._ranking import (
    average_precision_score,
    det_curve,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
)
from xlogreg.metrics._regression import mean_absolute_error, mean_squared_error, r2_score
from xlogreg.metrics._report import classification_report
from xlogreg.metrics._threshold import (
    ThresholdChoice,
    ThresholdSweep,
    select_threshold,
    threshold_sweep,
)

__all__ = [
    "CalibrationError",
    "ReliabilityBins",
    "ThresholdChoice",
    "ThresholdSweep",
    "accuracy_score",
    "average_precision_score",
    "balanced_accuracy_score",
    "brier_score_loss",
    "calibration_curve",
    "classification_report",
    "cohen_kappa_score",
    "confusion_matrix",
    "det_curve",
    "expected_calibration_error",
    "f1_score",
    "fbeta_score",
    "log_loss",
    "log_loss_from_logits",
    "matthews_corrcoef",
    "mean_absolute_error",
    "mean_squared_error",
    "precision_recall_curve",
    "precision_recall_fscore_support",
    "precision_score",
    "r2_score",
    "recall_score",
    "roc_auc_score",
    "roc_curve",
    "select_threshold",
    "threshold_sweep",
    "top_k_accuracy_score",
]
