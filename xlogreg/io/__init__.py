"""Save and load estimators: one portable, versioned file that never runs code.

:func:`save` (or ``estimator.save(path)``) writes an estimator, fitted or
merely configured, to one file; :func:`load` reads it back into NumPy,
PyTorch (CPU, CUDA, MPS), CuPy or any array-API library, wherever the model
was trained. Loading never executes or imports anything a file names: there
is no pickle, and the only classes a file can make :func:`load` build are
those registered by name in :mod:`xlogreg.io._registry`.

File format, version 1
----------------------
A model file is a `safetensors <https://github.com/huggingface/safetensors>`_
file (suggested suffix ``.safetensors``):

1. 8 bytes: ``N``, the header's length, an unsigned little-endian 64-bit integer;
2. ``N`` bytes: the header, a UTF-8 JSON object mapping each tensor's name to
   ``{"dtype", "shape", "data_offsets"}``, plus ``"__metadata__"``;
3. the tensors' bytes, little-endian and C-ordered; the file ends where the
   last tensor ends.

``__metadata__`` maps ``"xlogreg"`` to a strict JSON document (no ``NaN`` or
``Infinity`` literals) with exactly these keys:

``format``
    ``"xlogreg-model"``.
``format_version``
    ``1``. Readers refuse versions newer than theirs.
``library_version``
    The ``xlogreg.__version__`` that wrote the file (informative).
``estimator``
    The class name, e.g. ``"LogisticRegression"``.
``params``
    The constructor parameters (``get_params(deep=False)``): name → value.
``state``
    Every other instance attribute, name → value: the fitted state
    (``coef_``, ``classes_``, ``n_iter_``...) and private state such as the
    host copies of a model streamed to a GPU. Empty for an unfitted estimator.
``arrays``
    The index of the tensors: name → ``{"dtype", "shape", "host"}``, with
    the dtype's name (``"float64"``, ``"int64"``, ``"bool"``...) and the
    shape that the safetensors header must confirm. ``host`` is true for the
    NumPy arrays of a model whose other arrays live in another library (the
    host copies of a streamed model): those stay NumPy wherever the model is
    loaded.

A value is ``null``, ``true`` or ``false``, an integer, a finite number
(written so that it reads back to the same double), a string, a list of
values, or an object with exactly one of these keys:

``{"float": "inf" | "-inf" | "nan"}``
    A non-finite float.
``{"tuple": [value, ...]}``
    A tuple (a plain JSON list is a list).
``{"dict": [[key, value], ...]}``
    A dict, in order; keys are ``null``, booleans, numbers or strings.
``{"array": name}``
    The tensor ``name``; shape ``[]`` is a 0-d array.
``{"text_array": {"dtype", "shape", "values", "host"}}``
    A NumPy array of strings (dtype ``"<U7"``, say) or of Python scalars
    (``"|O"``), its elements in C order; ``host`` as in the index.
``{"namedtuple": {"type": name, "fields": {field: value}}}``
    A registered NamedTuple, by class name.
``{"estimator": {"estimator", "params", "state"}}``
    A nested estimator (a model's ``scaler_``, or the estimator another one
    wraps), with the same three keys as the document.

Tensors are named by the dotted path of their value: ``coef_``,
``scaler_.mean_``, ``_host_parameters.0``.

What :func:`load` accepts
-------------------------
A model file may come from anyone: :func:`load` reads it as data, checks it
before each step, and refuses anything else with a ``ModelFileError`` that
names the file and the problem.

- Only a regular file is opened (never a FIFO, a device or a directory);
  its size bounds every read.
- The header is at most :data:`HEADER_LIMIT` bytes (safetensors' own limit)
  and opens at most one JSON list or object per 16 bytes of file, plus
  4096; both are checked before it is parsed.
- Each tensor has a dtype that :func:`save` writes (``BOOL``, ``U8`` to
  ``U64``, ``I8`` to ``I64``, ``F16``, ``F32``, ``F64``), at most 32
  dimensions, none larger than the file's size, and exactly the bytes that
  its ``data_offsets`` span; tensors follow each other from offset 0 and end
  where the file ends. All of this is checked before the data is read.
- A text array's items have at most as many characters as its dtype
  declares, and its dtype no more than the file has bytes; together, the
  text arrays of a file take at most 4 bytes per byte of file plus 1 MiB
  as NumPy arrays.
- Every estimator in the file, nested ones first, must have parameters
  that its ``fit`` accepts and, if fitted, the state that a ``fit``
  leaves: classes that are distinct, coefficients and intercepts of the
  shapes those classes (or targets) and ``n_features_in_`` imply, of a
  real floating dtype and finite, feature names that match, a scaler's
  positive ``scale_``. :func:`save` refuses to write an estimator that
  fails these checks, so every file it writes loads.

So the memory that :func:`load` takes is bounded by the file's size: at
most 24 bytes per byte of file plus 16 MiB (measured with tracemalloc:
Python's allocations, NumPy arrays included; safetensors parses the header
once more, natively). Tensor data costs about 4 bytes per byte; the
metadata's JSON, parsed, up to about 20.
"""

from __future__ import annotations

import json
import os
import struct
from types import ModuleType
from typing import Any

import array_api_compat
import safetensors.numpy

from xlogreg._atomic_write import write_atomically
from xlogreg._backend import compute_target, resolve
from xlogreg.base import BaseEstimator
from xlogreg.io._codec import decode, encode
from xlogreg.io._file import (
    FORMAT,
    FORMAT_VERSION,
    HEADER_LIMIT,
    METADATA_KEY,
    header_problem,
    read,
)

__all__ = ["FORMAT", "FORMAT_VERSION", "HEADER_LIMIT", "load", "save"]


def save(estimator: BaseEstimator, path: str | os.PathLike) -> None:
    """Write ``estimator`` to the file ``path``, atomically; see :func:`load`.

    The estimator is serialized first, so an attribute that cannot be saved
    raises before the disk is touched. The bytes go to a temporary file
    beside ``path``, are flushed to the disk, and the temporary file then
    replaces ``path`` in one step: an existing file at ``path`` is either
    left as it was (on any error, or a crash) or replaced whole, never
    truncated. The format is described in the module's documentation.

    A file that ``path`` names already keeps its permission bits (a
    ``0600`` model stays ``0600``). The temporary file is locked while it
    is written (``flock``); temporary files of earlier saves to ``path``
    whose process died (a SIGKILL, a power cut) are removed, those of live
    saves never.

    Parameters
    ----------
    estimator : LogisticRegression, LinearRegression or StandardScaler
        Fitted or not (an unfitted estimator loads unfitted, with its
        parameters). Arrays may live in any library and on any device; they
        are copied to the host for writing.
    path : str or os.PathLike
        The file to write (suggested suffix ``.safetensors``); its folder must exist.

    Raises
    ------
    TypeError
        If ``estimator`` is not a registered estimator, ``path`` is not a
        path, or a parameter or attribute has a type without a portable form
        (a ``numpy.random.Generator`` as ``random_state``, say); the message
        names it. Also a parameter or fitted attribute of the wrong type, as
        for ``ValueError``.
    ValueError
        If a parameter is one that ``fit`` refuses (``threshold=7.0``), or a
        fitted state is not one that ``fit`` writes (a NaN ``coef_``, three
        ``classes_`` for one row of coefficients), or the metadata exceeds
        the limits of :func:`load`: the file would not load. Nothing is
        written.
    OSError
        If the file cannot be written; an earlier file at ``path`` stays intact.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from xlogreg import LogisticRegression, load
    >>> X = np.array([[0.0, 1.0], [1.0, 0.5], [2.0, 2.5], [3.0, 1.0]])
    >>> model = LogisticRegression().fit(X, np.array([0, 0, 1, 1]))
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "model.safetensors")
    ...     model.save(path)
    ...     loaded = load(path)
    >>> bool(np.all(loaded.predict_proba(X) == model.predict_proba(X)))
    True
    """
    path = _check_path(path)
    write_atomically(path, _serialize(estimator))


def load(path: str | os.PathLike, *, like: Any = None, device: str | None = None) -> BaseEstimator:
    """Read an estimator written by :func:`save`, with its arrays in the library of your choice.

    Parameters
    ----------
    path : str or os.PathLike
        A file written by :func:`save`.
    like : array, optional
        Put the arrays in this array's library and on its device (a torch
        tensor on ``"cuda:1"``, an array-api-strict array...); its dtype
        does not matter.
    device : str, optional
        Put the arrays there, by name: ``"numpy"``, ``"torch:cpu"``,
        ``"torch:cuda"``, ``"torch:cuda:N"``, ``"torch:mps"``, ``"cupy"``,
        ``"cupy:N"``, ``"jax:cpu"``, ``"jax:gpu"`` or ``"jax:gpu:N"``. Without
        ``like`` or ``device`` the arrays are NumPy arrays, whatever the model
        was trained on.

    Returns
    -------
    estimator
        Of the saved class, with the saved parameters and fitted state:
        ready to predict, score, or refit (``warm_start`` included). Float
        arrays keep their dtype, except that float64 becomes float32 on a
        device without float64 (Apple MPS, array-api-strict's
        ``"no_float64"``). Loaded into the library and device it was trained
        on, a model predicts bitwise what the saved one did; elsewhere, up
        to the libraries' rounding. NumPy host copies of a model streamed to
        another device (the mini-batch solvers' ``device`` parameter) stay
        NumPy arrays; that parameter itself is loaded as saved, so a refit
        needs that device.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ModelFileError
        If the file is not a model file (a pickle, an ``.npz`` archive, a
        safetensors file without xlogreg's metadata, not a regular file), is
        truncated, has bytes appended, has metadata that is not valid or
        disagrees with its arrays, declares sizes beyond the file's (see
        *What load accepts* in the module's documentation), has a newer
        format version, names a class outside the registry, or holds
        parameters or a fitted state that ``fit`` would not have produced.
        Nothing in the file is ever executed, and the memory taken is
        bounded by the file's size.
    TypeError
        If ``like`` is not an array.
    ValueError
        If both ``like`` and ``device`` are given, ``device`` is not present
        here, or the model holds string labels and the target is not NumPy.

    Examples
    --------
    A model fitted on NumPy, loaded into array-api-strict:

    >>> import os, tempfile
    >>> import numpy as np
    >>> import array_api_strict as xp
    >>> from xlogreg import LinearRegression, load
    >>> x = np.array([[1.0], [2.0], [3.0]])
    >>> model = LinearRegression().fit(x, np.array([3.0, 5.0, 7.0]))
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "line.safetensors")
    ...     model.save(path)
    ...     loaded = load(path, like=xp.asarray([0.0]))
    >>> loaded.predict(xp.asarray([[4.0]]))
    Array([9.], dtype=array_api_strict.float64)
    """
    xp, target = _target(like, device)
    path = _check_path(path)
    document, tensors, size = read(path)
    return decode(document, tensors, xp=xp, device=target, path=path, file_size=size)


def _check_path(path: Any) -> str:
    try:
        return os.fsdecode(os.fspath(path))
    except TypeError:
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}") from None


def _serialize(estimator: BaseEstimator) -> bytes:
    import xlogreg  # the package imports this module: read its version at call time

    tree, tensors, index = encode(estimator)  # checks every estimator's state first
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "library_version": xlogreg.__version__,
        **tree,
        "arrays": index,
    }
    metadata = json.dumps(document, allow_nan=False, separators=(",", ":"))
    data = safetensors.numpy.save(tensors, metadata={METADATA_KEY: metadata})
    (header_size,) = struct.unpack_from("<Q", data)
    problem = header_problem(data[8 : 8 + header_size], len(data))
    if problem is not None:  # load would refuse the file
        raise ValueError(f"cannot save this {type(estimator).__name__}: {problem}")
    return data


def _target(like: Any, device: str | None) -> tuple[ModuleType, Any]:
    """The namespace and device that ``like`` or ``device`` ask for (NumPy by default)."""
    if like is not None and device is not None:
        raise ValueError("give like= or device=, not both")
    if like is not None:
        if not array_api_compat.is_array_api_obj(like):
            raise TypeError(f"like must be an array, got {type(like).__name__}")
        return resolve(like=like)
    if device is not None:
        return compute_target(device)
    return resolve()
