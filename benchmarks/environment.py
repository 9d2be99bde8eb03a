"""What a benchmark run ran on: machine, library versions, thread settings, date and commit.

Read at the end of a run, so the thread pools reported are the ones the
benchmarks actually loaded. torch and CuPy are described only when the run
imported them (einops-style: looking at ``sys.modules`` never imports them).
"""

from __future__ import annotations

import datetime
import os
import platform
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent

PACKAGES = (
    "xlogreg",
    "numpy",
    "scipy",
    "scikit-learn",
    "torch",
    "cupy-cuda12x",
    "cupy-cuda13x",
    "jax",
    "jaxlib",
    "array-api-compat",
    "pytest-benchmark",
    "threadpoolctl",
    "dask",
    "distributed",
    "glum",
    "skglm",
    "numba",
)
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def _git(*args: str) -> str:
    try:
        completed = subprocess.run(
            ["git", *args], cwd=REPOSITORY, capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        return ""
    return completed.stdout.strip()


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return None


def _usable_cores() -> int | None:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count()


def _versions() -> dict[str, str]:
    versions = {}
    for package in PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    return versions


def _blas_pools() -> list[dict[str, object]] | None:
    """The native thread pools loaded in this process, as threadpoolctl sees them."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return None
    pools = []
    for pool in threadpool_info():
        path = pool.get("filepath", "")
        owner = next(
            (name for name in ("numpy", "scipy", "torch", "sklearn", "cupy") if name in path), ""
        )
        pools.append(
            {
                "library": pool.get("internal_api", pool.get("user_api", "?")),
                "version": pool.get("version"),
                "threads": pool.get("num_threads"),
                "shipped_with": owner,
            }
        )
    return pools


def _torch() -> dict[str, object]:
    torch = sys.modules.get("torch")
    if torch is None:
        return {}
    described: dict[str, object] = {"threads": torch.get_num_threads()}
    if torch.cuda.is_available():
        described["cuda_device"] = torch.cuda.get_device_name(0)
    return described


def _descendants_cpu_ticks() -> int:
    """Clock ticks of CPU used so far by the live processes this one started, and theirs.

    The worker processes of a Dask ``LocalCluster``, say: ``os.times()`` counts a
    child only once it has exited and been waited for.
    """
    parents: dict[int, int] = {}
    ticks: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # Fields after "(comm)": state, ppid, ..., utime and stime the 12th and 13th.
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):  # gone meanwhile
            continue
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        ticks[pid] = int(fields[11]) + int(fields[12])
    ours = {os.getpid()}
    total, grew = 0, True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in ours and pid not in ours:
                ours.add(pid)
                total += ticks[pid]
                grew = True
    return total


def cpu_snapshot() -> dict[str, float] | None:
    """CPU seconds the whole machine and this run have used so far, and the wall clock.

    "This run" is this process and every process it started (live or waited
    for). Two snapshots tell how much of the machine other processes took
    between them: on a shared development machine that is the main source of
    noise.
    """
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except (OSError, IndexError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    ticks = os.sysconf("SC_CLK_TCK")
    own = os.times()
    return {
        "machine_busy_s": (user + nice + system + irq + softirq + steal) / ticks,
        "own_s": own.user
        + own.system
        + own.children_user
        + own.children_system
        + _descendants_cpu_ticks() / ticks,
        "wall_s": time.perf_counter(),
    }


def other_cores(start: dict[str, float] | None, end: dict[str, float] | None) -> float | None:
    """Cores that other processes kept busy on average between two :func:`cpu_snapshot`.

    None where the span is too short for the kernel's 10 ms accounting to say.
    """
    if start is None or end is None or end["wall_s"] - start["wall_s"] < 0.5:
        return None
    busy = end["machine_busy_s"] - start["machine_busy_s"]
    others = busy - (end["own_s"] - start["own_s"])
    return round(max(others, 0.0) / (end["wall_s"] - start["wall_s"]), 2)


def _contention(start: dict[str, float] | None) -> dict[str, float] | None:
    end = cpu_snapshot()
    if start is None or end is None:
        return None
    return {
        "duration_s": round(end["wall_s"] - start["wall_s"], 1),
        "other_processes_cores": other_cores(start, end) or 0.0,
        "load_average_1min": round(os.getloadavg()[0], 2),
    }


def describe(
    *, mode: str, arguments: list[str], start: dict[str, float] | None
) -> dict[str, object]:
    """Everything the results table states about the run, as JSON-ready values.

    ``start`` is the :func:`cpu_snapshot` taken when the run began.
    """
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "mode": mode,
        "arguments": arguments,
        "contention": _contention(start),
        "commit": _git("rev-parse", "--short", "HEAD"),
        "uncommitted_changes": _git("diff", "--name-only", "HEAD").splitlines(),
        "cpu": _cpu_model(),
        "logical_cores": os.cpu_count(),
        "usable_cores": _usable_cores(),
        "memory_gib": _memory_gib(),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "versions": _versions(),
        "thread_variables": {name: os.environ.get(name) for name in THREAD_VARIABLES},
        "blas_pools": _blas_pools(),
        "torch": _torch(),
    }
