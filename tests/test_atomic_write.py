"""_atomic_write.py through save: a failed or killed save leaves the previous file intact and no
temporary a later save does not remove; permissions are kept; a live writer's temporary is
never removed."""

import os
import stat
import subprocess
import sys
import time

import numpy as np
import pytest

import xlogreg
from tests.io.files import assert_same, model_data
from xlogreg import (
    LogisticRegression,
    StandardScaler,
    load,
)


def _fail(error):
    def fail(*args, **kwargs):
        raise error

    return fail


@pytest.mark.parametrize(
    ("step", "error"),
    [("fsync", OSError("disk full")), ("replace", KeyboardInterrupt())],
    ids=["write-fails", "interrupted-before-rename"],
)
def test_failed_save_leaves_the_previous_file_intact(saved, monkeypatch, step, error):
    data, path = saved
    X, targets = model_data()
    newer = LogisticRegression(C=0.01).fit(X, targets["multinomial"])
    monkeypatch.setattr(os, step, _fail(error))
    with pytest.raises(type(error)):
        newer.save(path)
    monkeypatch.undo()
    with open(path, "rb") as file:
        assert file.read() == data
    assert os.listdir(os.path.dirname(path)) == ["model.safetensors"]
    newer.save(path)
    assert_same(load(path), newer)


def test_serialization_error_never_touches_the_disk(saved):
    data, path = saved
    model = LogisticRegression()
    model.bad_ = {1, 2}
    with pytest.raises(TypeError):
        model.save(path)
    with open(path, "rb") as file:
        assert file.read() == data
    assert os.listdir(os.path.dirname(path)) == ["model.safetensors"]


def test_save_into_a_missing_folder_raises(tmp_path):
    with pytest.raises(FileNotFoundError):
        LogisticRegression().save(os.path.join(tmp_path, "missing", "model.safetensors"))
    assert os.listdir(tmp_path) == []


@pytest.mark.skipif(os.name == "nt", reason="POSIX permission bits")
def test_replacing_a_file_keeps_its_permissions(tmp_path):
    path = os.path.join(tmp_path, "model.safetensors")
    for mode in (0o600, 0o640, 0o444):
        LogisticRegression().save(path)
        os.chmod(path, mode)
        LogisticRegression(C=2.0).save(path)
        assert stat.S_IMODE(os.stat(path).st_mode) == mode
        assert load(path).C == 2.0
        os.remove(path)
    umask = os.umask(0o027)
    try:
        LogisticRegression().save(path)
    finally:
        os.umask(umask)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640


# A save that announces itself once its temporary file is written and flushed, then
# waits for a line on its standard input (or a SIGKILL) before renaming it.
_PAUSED_SAVE = """
import os, sys
import numpy as np
from xlogreg import StandardScaler

path, offset = sys.argv[1], float(sys.argv[2])
model = StandardScaler().fit(np.arange(12.0).reshape(4, 3) + offset)
flush = os.fsync

def fsync(descriptor):
    flush(descriptor)
    print("written", flush=True)
    sys.stdin.readline()

os.fsync = fsync
model.save(path)
print("saved", flush=True)
"""


def _paused_save(path, offset):
    """A process saving a scaler fitted on ``arange(12) + offset`` to ``path``, paused
    between writing its temporary file and renaming it."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(xlogreg.__file__)))
    env = {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}
    writer = subprocess.Popen(
        [sys.executable, "-c", _PAUSED_SAVE, path, str(offset)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert writer.stdout.readline() == "written\n"
    return writer


def _temporaries(folder):
    return sorted(name for name in os.listdir(folder) if name.endswith(".tmp"))


def _scaler_mean(path):
    return load(path).mean_.tolist()


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL")
def test_killed_save_leaves_a_temporary_that_the_next_save_removes(tmp_path):
    path = os.path.join(tmp_path, "model.safetensors")
    StandardScaler().fit(np.arange(12.0).reshape(4, 3)).save(path)
    left = []
    for offset in (10.0, 20.0):
        writer = _paused_save(path, offset)
        writer.kill()  # SIGKILL: no handler, no cleanup
        writer.wait()
        # Each save removed the one that the previous killed save left.
        left.append(_temporaries(tmp_path))
        assert len(left[-1]) == 1
        assert _scaler_mean(path) == [4.5, 5.5, 6.5]  # the target is intact
    assert left[0] != left[1]
    StandardScaler().fit(np.arange(12.0).reshape(4, 3) + 1.0).save(path)
    assert _temporaries(tmp_path) == []
    assert _scaler_mean(path) == [5.5, 6.5, 7.5]


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL")
def test_a_live_writers_temporary_is_never_removed(tmp_path):
    path = os.path.join(tmp_path, "model.safetensors")
    writer = _paused_save(path, 10.0)
    try:
        (temporary,) = _temporaries(tmp_path)
        StandardScaler().fit(np.arange(12.0).reshape(4, 3)).save(path)
        assert _temporaries(tmp_path) == [temporary]
        assert _scaler_mean(path) == [4.5, 5.5, 6.5]
    finally:
        remaining, _ = writer.communicate("go\n", timeout=120)
    assert (writer.returncode, remaining) == (0, "saved\n")
    assert _temporaries(tmp_path) == []
    assert _scaler_mean(path) == [14.5, 15.5, 16.5]  # the last rename wins


# Saves a large scaler to a path over and over, until killed.
_SAVE_FOREVER = """
import sys
import numpy as np
from xlogreg import StandardScaler

model = StandardScaler().fit(np.arange(2_000_000.0).reshape(2, -1))
print("fitted", flush=True)
while True:
    model.save(sys.argv[1])
"""


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL")
def test_saves_killed_at_random_moments_never_leave_an_unloadable_target(tmp_path):
    path = os.path.join(tmp_path, "model.safetensors")
    StandardScaler().fit(np.zeros((2, 3))).save(path)
    root = os.path.dirname(os.path.dirname(os.path.abspath(xlogreg.__file__)))
    env = {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}
    rng = np.random.default_rng(17)
    for _ in range(6):
        writer = subprocess.Popen(
            [sys.executable, "-c", _SAVE_FOREVER, path], stdout=subprocess.PIPE, text=True, env=env
        )
        stale = set(_temporaries(tmp_path))
        assert writer.stdout.readline() == "fitted\n"
        while not set(_temporaries(tmp_path)) - stale:  # a save is writing: kill it soon
            assert writer.poll() is None, "the saving process ended on its own"
            time.sleep(0.001)
        time.sleep(rng.uniform(0.0, 0.02))
        writer.kill()
        writer.wait()
        writer.stdout.close()
        assert load(path).n_features_in_ in (3, 1_000_000)
    StandardScaler().fit(np.zeros((2, 3))).save(path)
    assert _temporaries(tmp_path) == []
    assert load(path).n_features_in_ == 3
