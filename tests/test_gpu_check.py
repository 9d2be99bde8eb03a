"""The GPU check (``benchmarks/gpu-check.sh``): its plan without a GPU, and how it counts.

The check itself runs only where there is an NVIDIA GPU; here it must print its plan
with ``--dry-run``, refuse to run without a GPU, and read pytest's logs right.
"""

import importlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "gpu-check.sh"
# The check must leave a rerun room in 15 minutes of device time.
LIMIT_SECONDS = 8 * 60


def _script(*args, path=None, tmp_path):
    environment = {**os.environ, "OUT": str(tmp_path / "out")}
    if path is not None:
        environment["PATH"] = path
    return subprocess.run(
        ["bash", str(SCRIPT), *args], capture_output=True, text=True, env=environment, timeout=60
    )


@pytest.fixture
def gpu_check(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    return importlib.import_module("gpu_check")


def test_dry_run_prints_every_phase_within_the_time_limit_and_runs_nothing(tmp_path):
    done = _script("--dry-run", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    total = int(re.search(r"at most (\d+) s", lines[0])[1])
    assert total <= LIMIT_SECONDS - 30  # the wheels' install and the machine's description
    assert str(tmp_path / "out") in lines[0]
    phases = {line[2:].split(" ")[0]: line for line in lines[1:]}
    assert list(phases) == ["tests-torch", "tests-cupy", "tests-jax", "bench"]
    for library in ("torch", "cupy", "jax"):
        assert f"XLOGREG_BACKENDS={library} " in phases[f"tests-{library}"]
        assert " -m gpu " in phases[f"tests-{library}"]
    assert "benchmarks/test_gpu.py --gpu-check" in phases["bench"]
    assert f"--benchmark-json={tmp_path / 'out' / 'results.json'}" in phases["bench"]
    assert sum(int(re.search(r"at most (\d+) s", p)[1]) for p in phases.values()) == total
    assert not (tmp_path / "out").exists()


def test_dry_run_takes_the_options_that_rerun_a_part(tmp_path):
    done = _script("--dry-run", "--libraries", "jax", "--skip-bench", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    assert [line[2:].split(" ")[0] for line in done.stdout.splitlines()[1:]] == ["tests-jax"]
    smoke = _script("--dry-run", "--skip-tests", "--smoke", tmp_path=tmp_path)
    assert smoke.stdout.splitlines()[1].rstrip().endswith("--gpu-check-smoke")


def test_without_a_gpu_the_check_refuses_before_any_work(tmp_path):
    python = Path(sys.executable).parent  # the interpreter running the tests, as python3
    done = _script(path=f"{python}:/usr/bin:/bin", tmp_path=tmp_path)
    assert done.returncode == 2
    assert "no NVIDIA GPU here" in done.stdout
    assert not (tmp_path / "out").exists()


def test_outcomes_are_counted_from_the_result_lines_of_either_log_format(gpu_check):
    log = "\n".join(
        [
            "[gw0] [  1%] PASSED tests/test_a.py::test_x[torch-cuda-float64]",
            "[gw3] [  2%] SKIPPED tests/test_a.py::test_x[torch-mps-float32]",
            "[gw1] [  3%] FAILED tests/test_b.py::test_y[cupy-float32]",
            "tests/test_c.py::test_z[jax-gpu-float32] ERROR                          [ 4%]",
            "tests/test_c.py::test_z[jax-gpu-float64] PASSED                         [ 5%]",
            "FAILED tests/test_b.py::test_y[cupy-float32] - AssertionError",
            "=========== 1 failed, 2 passed, 1 skipped, 1 error in 3.0s ===========",
        ]
    )
    counts, failures = gpu_check.count_outcomes(log)
    assert counts == {"passed": 2, "failed": 1, "error": 1, "skipped": 1}
    assert failures == [
        "tests/test_b.py::test_y[cupy-float32]",
        "tests/test_c.py::test_z[jax-gpu-float32]",
    ]


def test_summary_tables_each_library_and_says_how_its_phase_ended(gpu_check, tmp_path):
    phases = gpu_check.plan(tmp_path, ["torch", "jax"], tests=True, bench=False)
    phases[0].log, phases[0].returncode, phases[0].elapsed = (
        "[gw0] [ 50%] PASSED tests/t.py::a[torch-cuda-float64]\n",
        0,
        12.3,
    )
    phases[1].log, phases[1].returncode, phases[1].elapsed = (
        "[gw0] [ 50%] FAILED tests/t.py::a[jax-gpu-float32]\n",
        -9,
        100.2,
    )
    phases[1].timed_out = True
    text = gpu_check.summary(phases, tmp_path)
    assert "| torch | 1 | 0 | 0 | 0 | 12 s | exit 0 |" in text
    assert f"| jax | 0 | 1 | 0 | 0 | 100 s | timed out at {phases[1].seconds} s |" in text
    assert "- `tests/t.py::a[jax-gpu-float32]`" in text


def test_every_carried_wheel_is_pinned_and_the_header_downloads_them():
    listed = [
        line
        for line in (ROOT / "benchmarks" / "gpu-wheels.txt").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert listed and all(re.fullmatch(r"[a-z0-9-]+==[0-9][0-9a-z.]*", line) for line in listed)
    header = SCRIPT.read_text()
    assert "pip download --no-deps --only-binary=:all: --python-version 3.12" in header
    assert "-d .whl -r benchmarks/gpu-wheels.txt" in header
