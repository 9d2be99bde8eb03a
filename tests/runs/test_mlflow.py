"""Run records logged to MLflow (xlogreg/runs/_mlflow.py): ``xlogreg fit --mlflow`` logs the
run's parameters, every iterate's loss, the final metrics, and the model file and card as
artifacts, checked against a fake mlflow module that records the calls."""

import contextlib
import sys
import types

from tests.backends import RAISIN_CSV
from tests.cli_helpers import invoke
from xlogreg import runs


class _FakeMlflow(types.ModuleType):
    """Records the calls log_to_mlflow makes (mlflow is not a test dependency)."""

    def __init__(self):
        super().__init__("mlflow")
        self.calls = []

    @contextlib.contextmanager
    def start_run(self, run_name):
        self.calls.append(("start_run", run_name))
        yield types.SimpleNamespace(info=types.SimpleNamespace(run_id="mlflow-run-1"))

    def log_params(self, params):
        self.calls.append(("log_params", params))

    def log_metrics(self, metrics, step=None):
        self.calls.append(("log_metrics", metrics, step))

    def log_artifact(self, path):
        self.calls.append(("log_artifact", path))


def test_fit_logs_the_run_to_mlflow(tmp_path, monkeypatch):
    fake = _FakeMlflow()
    monkeypatch.setitem(sys.modules, "mlflow", fake)
    runs_dir = tmp_path / "runs"
    outcome = invoke("fit", RAISIN_CSV, "--target", "Class", "--runs-dir", runs_dir, "--mlflow")
    assert outcome.code == 0 and "mlflow      run mlflow-run-1" in outcome.stdout
    (run,) = runs.list_runs(runs_dir)
    assert fake.calls[0] == ("start_run", run.run_id)
    params = fake.calls[1][1]
    assert params["data.sha256"] == run.params["data"]["sha256"] and params["seed"] == 0
    steps = [call for call in fake.calls if call[0] == "log_metrics" and call[2] is not None]
    assert [call[2] for call in steps] == [step.iteration for step in runs.read_iterations(run)]
    assert steps[0][1]["loss"] == runs.read_iterations(run)[0].loss
    (final,) = [call[1] for call in fake.calls if call[0] == "log_metrics" and call[2] is None]
    assert final["validation_log_loss"] == runs.metric_value(run, "validation_log_loss")
    assert fake.calls[-2:] == [
        ("log_artifact", str(run.model_path)),
        ("log_artifact", str(run.path / "card.json")),
    ]
