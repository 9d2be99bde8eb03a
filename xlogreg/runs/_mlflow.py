"""Run records logged to MLflow: parameters, the loss of every iterate, the final
metrics, and the model file and card as artifacts.
"""

from __future__ import annotations

from typing import Any

from xlogreg.runs._records import CARD_FILE, Run, read_iterations

__all__ = ["log_to_mlflow", "require_mlflow"]


def require_mlflow() -> Any:
    """The ``mlflow`` module.

    Raises
    ------
    ValueError
        If mlflow is not installed.
    """
    try:
        import mlflow
    except ImportError:
        raise ValueError(
            "logging to MLflow needs mlflow, which is not installed (pip install mlflow)"
        ) from None
    return mlflow


def log_to_mlflow(run: Run) -> str:
    """Log a run record to MLflow's active tracking server; return MLflow's run id.

    The parameters (nested keys joined by dots), the loss and gradient norm
    of every iterate (step: the iteration), each split's final metrics
    (``validation_log_loss``...) and the model file and card as artifacts.

    Raises
    ------
    ValueError
        If mlflow is not installed.
    """
    mlflow = require_mlflow()
    with mlflow.start_run(run_name=run.run_id) as active:
        mlflow.log_params(_flat(run.params))
        for step in read_iterations(run):
            mlflow.log_metrics(
                {"loss": step.loss, "grad_norm": step.grad_norm}, step=step.iteration
            )
        mlflow.log_metrics(
            {
                f"{split}_{name}": value
                for split, values in run.card["metrics"].items()
                for name, value in values.items()
            }
        )
        mlflow.log_artifact(str(run.model_path))
        mlflow.log_artifact(str(run.path / CARD_FILE))
        return active.info.run_id


def _flat(value: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested dicts as one level, keys joined by dots (MLflow's parameters are flat)."""
    flat: dict[str, Any] = {}
    for key, item in value.items():
        if isinstance(item, dict):
            flat.update(_flat(item, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = item
    return flat
