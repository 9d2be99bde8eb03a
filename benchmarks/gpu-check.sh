#!/usr/bin/env bash
# The GPU check: every CUDA row of the test suite (torch, CuPy, JAX), then a short GPU
# benchmark against scikit-learn on the CPU, in one call of at most 8 minutes on one
# H100. Logs, results.json and summary.md go to $OUT (the device tool brings them
# back); the summary is printed last. benchmarks/gpu_check.py has the phases and their
# time limits; benchmarks/README.md ("GPU check") says how to read and commit them.
#
# The device machines have Python 3.12, torch, CuPy and JAX for CUDA 13, NumPy,
# scikit-learn and pytest, and reach no package registry: the packages they lack
# (benchmarks/gpu-wheels.txt) travel as wheels in the ignored folder .whl/. Fill it
# once, here, from the repository's root:
#
#   python3 -m pip download --no-deps --only-binary=:all: --python-version 3.12 \
#     --implementation cp --platform manylinux_2_28_x86_64 \
#     --platform manylinux_2_27_x86_64 --platform manylinux_2_17_x86_64 \
#     --platform manylinux2014_x86_64 --platform manylinux1_x86_64 \
#     -d .whl -r benchmarks/gpu-wheels.txt
#
# then call the device tool's run with carry [".whl"], timeout_s 540 and the command
#
#   benchmarks/gpu-check.sh
#
# Options (passed on to gpu_check.py): --dry-run prints the plan and exits 0 (no GPU
# needed, nothing installed); --libraries torch,jax runs those libraries' rows only;
# --skip-tests, --skip-bench; --smoke runs the benchmark at a hundredth of its sizes;
# --out DIR instead of $OUT.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ " $* " != *" --dry-run "* ]]; then
    if compgen -G ".whl/*.whl" > /dev/null; then
        python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir \
            --upgrade --target /tmp/gpu-check-site .whl/*.whl
        export PYTHONPATH="/tmp/gpu-check-site${PYTHONPATH:+:$PYTHONPATH}"
    else
        echo "no wheels in .whl/: running with the packages installed here (see this script's header)"
    fi
fi
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
exec python3 benchmarks/gpu_check.py "$@"
