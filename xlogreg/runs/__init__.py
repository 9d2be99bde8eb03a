"""Run records: one folder per training run, and a registry naming the production run.

``xlogreg fit DATA --runs-dir runs/`` writes ``runs/<run_id>/``, where the run
id sorts by time (UTC) and ends in a random suffix (``20261122-221500-ab12cd``):

``params.json``
    What was asked: the command's parameters, the data file and its SHA-256,
    the split's seed, the library, device and dtype, the time of creation.
``metrics.jsonl``
    One JSON object per solver iterate, ``{"iteration", "loss", "grad_norm",
    "elapsed"}`` (the objective, its gradient's max-norm, seconds since the
    fit started), from iteration 0, the starting point; then one final object
    ``{"final": true, "train": {...}, "validation": {...}}`` holding each
    split's metrics (``log_loss``, ``accuracy`` and, for two classes, ``auc``).
``model.safetensors``
    The fitted model, for :func:`xlogreg.load`.
``card.json``
    :func:`xlogreg.card.model_card` of the model, with ``run_id``, ``data``,
    ``metrics`` (as in the final line of ``metrics.jsonl``) and ``split``.

``runs/registry.json`` names the production run (``"production"``) and keeps
the history of promotions (``"history"``); :func:`promote` refuses a run whose
validation metric is worse than the production run's unless forced.

Files are written atomically (a temporary file renamed over the target) and a
run folder appears complete or not at all: it is written under a hidden
temporary name and renamed when done; a rename never replaces a run, so of two
processes naming a run alike one gets the name. A change of the registry (read,
decide, write) holds the lock ``runs/registry.json.lock``: promotions at the
same moment, from any number of processes, all land in the history, each
compared with the production run the one before left. Reading needs no lock.
JSON is strict: a non-finite number (an unpenalized model's ``C``) is written
as the string ``"inf"``, ``"-inf"`` or ``"nan"``.
"""

from xlogreg.runs._mlflow import log_to_mlflow, require_mlflow
from xlogreg.runs._promotion import METRICS, Promotion, PromotionRefused, metric_value, promote
from xlogreg.runs._records import (
    CARD_FILE,
    METRICS_FILE,
    MODEL_FILE,
    PARAMS_FILE,
    REGISTRY_FILE,
    Iteration,
    Run,
    RunRecordWarning,
    file_sha256,
    find_model,
    list_runs,
    new_run_id,
    production_run,
    read_iterations,
    read_run,
    remove_run,
    write_run,
)

__all__ = [
    "CARD_FILE",
    "METRICS",
    "METRICS_FILE",
    "MODEL_FILE",
    "PARAMS_FILE",
    "REGISTRY_FILE",
    "Iteration",
    "Promotion",
    "PromotionRefused",
    "Run",
    "RunRecordWarning",
    "file_sha256",
    "find_model",
    "list_runs",
    "log_to_mlflow",
    "metric_value",
    "new_run_id",
    "production_run",
    "promote",
    "read_iterations",
    "read_run",
    "remove_run",
    "require_mlflow",
    "write_run",
]
