"""Estimators as JSON trees plus named arrays, and back: the value encoding of model files.

Parameters and every other instance attribute are encoded by type (see the
format in :mod:`xlogreg.io`), never through per-estimator lists, so state
that a new feature adds to an estimator is saved as long as its types are
supported; an unsupported one raises ``TypeError`` at save, naming it.
"""

from __future__ import annotations

import json
import math
import numbers
import re
from types import ModuleType
from typing import Any

import array_api_compat

from xlogreg._backend import host_copy, host_text, text_array, to_device
from xlogreg.base import BaseEstimator
from xlogreg.exceptions import ModelFileError
from xlogreg.io._file import check_shape
from xlogreg.io._registry import ESTIMATORS, NAMED_TUPLES

__all__ = ["ESTIMATOR_KEYS", "decode", "encode"]

ESTIMATOR_KEYS = ("estimator", "params", "state")
_TENSOR_DTYPES = frozenset(
    f"{kind}{bits}" for kind in ("int", "uint") for bits in (8, 16, 32, 64)
) | {"bool", "float16", "float32", "float64"}
_TEXT_DTYPE = re.compile(r"[<>|=]?U([1-9][0-9]{0,11})|\|O")
# The memory that a file's text arrays may take as NumPy arrays: a character
# takes 4 bytes (UTF-32), so 4 bytes per byte of file, plus room for the
# generous item sizes that small label arrays may declare (``<U64`` for "a").
_TEXT_BYTES_PER_FILE_BYTE = 4
_TEXT_BYTES_EXTRA = 2**20
_NON_FINITE = ("inf", "-inf", "nan")


def encode(estimator: BaseEstimator) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The JSON tree of ``estimator`` (keys ``ESTIMATOR_KEYS``), its host tensors and their index.

    Raises
    ------
    TypeError
        If the estimator, or an estimator or NamedTuple inside it, is not
        registered, or a value has no portable form; the message names it.
    """
    encoder = _Encoder()
    tree = encoder.estimator(estimator, "")
    encoder.mark_host_copies()
    return tree, encoder.tensors, encoder.index


def decode(
    document: dict[str, Any],
    tensors: dict[str, Any],
    *,
    xp: ModuleType,
    device: Any,
    path: str,
    file_size: int,
) -> BaseEstimator:
    """The estimator of a checked document, its arrays placed in ``xp`` on ``device``.

    Every estimator in the tree, nested ones first, then checks its
    parameters and fitted state as ``fit`` would have left them.

    Raises
    ------
    ModelFileError
        If the tree is malformed, names unregistered classes, does not use
        every tensor exactly once, declares text arrays larger than the file
        of ``file_size`` bytes can describe, or holds parameters or a fitted
        state that ``fit`` would not have produced.
    ValueError
        If a string array would have to leave NumPy.
    """
    decoder = _Decoder(
        tensors, document["arrays"], xp=xp, device=device, path=path, file_size=file_size
    )
    try:
        estimator = decoder.estimator({key: document[key] for key in ESTIMATOR_KEYS}, "")
    except RecursionError:
        raise ModelFileError(f"{path}: the metadata is nested too deeply") from None
    unused = sorted(set(tensors) - decoder.used)
    if unused:
        raise ModelFileError(f"{path}: the file holds arrays {unused} that no attribute uses")
    for built, where in decoder.built:
        try:
            built._check_state()
        except (TypeError, ValueError) as error:
            at = f" at {where}" if where else ""
            raise ModelFileError(f"{path}: invalid {type(built).__name__}{at}: {error}") from None
    return estimator


class _Encoder:
    """Turns an estimator into JSON values, setting its arrays aside as host tensors."""

    def __init__(self) -> None:
        self.tensors: dict[str, Any] = {}
        self.index: dict[str, dict[str, Any]] = {}
        # Index entries and text-array nodes, with whether the array was NumPy.
        self._placed: list[tuple[dict[str, Any], bool]] = []

    def estimator(self, estimator: BaseEstimator, path: str) -> dict[str, Any]:
        cls = type(estimator)
        if ESTIMATORS.get(cls.__name__) is not cls:
            what = f"{path!r}, a" if path else "a"
            raise TypeError(
                f"cannot save {what} {cls.__module__}.{cls.__qualname__}: only the estimators "
                f"registered in xlogreg.io._registry can be loaded back ({sorted(ESTIMATORS)})"
            )
        try:
            estimator._check_state()  # a file that load would refuse is never written
        except (TypeError, ValueError) as error:
            if not path:
                raise
            raise type(error)(f"cannot save {path!r}: {error}") from error
        params = estimator.get_params(deep=False)
        state = {name: v for name, v in vars(estimator).items() if name not in params}
        return {
            "estimator": cls.__name__,
            "params": {name: self.value(v, _join(path, name)) for name, v in params.items()},
            "state": {name: self.value(v, _join(path, name)) for name, v in state.items()},
        }

    def value(self, value: Any, path: str) -> Any:
        if _is_scalar(value):
            return _scalar(value)
        if isinstance(value, BaseEstimator):
            return {"estimator": self.estimator(value, path)}
        if isinstance(value, tuple) and hasattr(type(value), "_fields"):
            return {"namedtuple": self.named_tuple(value, path)}
        if type(value) in (tuple, list):
            items = [self.value(item, _join(path, str(i))) for i, item in enumerate(value)]
            return {"tuple": items} if type(value) is tuple else items
        if type(value) is dict:
            pairs = []
            for i, (key, item) in enumerate(value.items()):
                if not _is_scalar(key):
                    raise _unsupported(f"{path}[{key!r}]", key, "dict keys must be scalars")
                pairs.append([_scalar(key), self.value(item, _join(path, str(i)))])
            return {"dict": pairs}
        if array_api_compat.is_array_api_obj(value):
            return self.array(value, path)
        raise _unsupported(path, value, "it has no portable form")

    def named_tuple(self, value: tuple, path: str) -> dict[str, Any]:
        cls = type(value)
        if NAMED_TUPLES.get(cls.__name__) is not cls:
            raise _unsupported(path, value, "register its NamedTuple in xlogreg.io._registry")
        fields = {name: self.value(v, _join(path, name)) for name, v in value._asdict().items()}
        return {"type": cls.__name__, "fields": fields}

    def array(self, value: Any, path: str) -> dict[str, Any]:
        text = host_text(value)
        if text is not None:
            dtype, items = text
            for item in items:
                if not _is_scalar(item):
                    raise _unsupported(path, item, "an object array may hold scalars only")
            node = {"dtype": dtype, "shape": list(value.shape), "values": list(map(_scalar, items))}
            self._placed.append((node, True))
            return {"text_array": node}
        host = host_copy(value)
        if str(host.dtype) not in _TENSOR_DTYPES:
            raise _unsupported(path, value, f"arrays of dtype {host.dtype} cannot be saved")
        self.tensors[path] = host
        self.index[path] = {"dtype": str(host.dtype), "shape": list(host.shape)}
        self._placed.append((self.index[path], array_api_compat.is_numpy_array(value)))
        return {"array": path}

    def mark_host_copies(self) -> None:
        """Flag NumPy arrays as host copies when other arrays live in another library."""
        elsewhere = not all(numpy for _, numpy in self._placed)
        for node, numpy in self._placed:
            node["host"] = elsewhere and numpy


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _is_scalar(value: Any) -> bool:
    # NumPy scalars count as numbers (np.float64 is a float; the ABCs cover the others).
    return value is None or isinstance(value, (bool, str, numbers.Real))


def _scalar(value: Any) -> Any:
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    value = float(value)
    return value if math.isfinite(value) else {"float": repr(value)}


def _unsupported(path: str, value: Any, why: str) -> TypeError:
    kind = type(value)
    return TypeError(
        f"cannot save {path!r}, a {kind.__module__}.{kind.__qualname__}: {why}. Supported: "
        "None, bool, int, float, str, lists, tuples, dicts, arrays, NamedTuples and "
        "estimators registered in xlogreg.io._registry"
    )


class _Decoder:
    """Rebuilds values from their JSON form, with arrays placed on the target."""

    def __init__(
        self,
        tensors: dict[str, Any],
        index: dict[str, Any],
        *,
        xp: ModuleType,
        device: Any,
        path: str,
        file_size: int,
    ) -> None:
        self.tensors, self.index = tensors, index
        self.xp, self.device, self.path = xp, device, path
        self.file_size = file_size
        self.used: set[str] = set()
        # Estimators as they are completed (nested ones first), with their place.
        self.built: list[tuple[BaseEstimator, str]] = []
        self.text_bytes_left = _TEXT_BYTES_PER_FILE_BYTE * file_size + _TEXT_BYTES_EXTRA

    def fail(self, problem: str) -> ModelFileError:
        return ModelFileError(f"{self.path}: {problem}")

    def malformed(self, where: str, node: Any) -> ModelFileError:
        shown = json.dumps(node)
        shown = shown if len(shown) <= 80 else shown[:77] + "..."
        return self.fail(f"malformed metadata at {where or 'the top'}: {shown}")

    def estimator(self, node: Any, where: str) -> BaseEstimator:
        if not (isinstance(node, dict) and sorted(node) == sorted(ESTIMATOR_KEYS)):
            raise self.malformed(where, node)
        name, params, state = (node[key] for key in ESTIMATOR_KEYS)
        cls = ESTIMATORS.get(name) if isinstance(name, str) else None
        if cls is None:
            raise self.fail(
                f"unknown estimator class {name!r} at {where or 'the top'}; "
                f"this xlogreg loads {sorted(ESTIMATORS)}"
            )
        if not (isinstance(params, dict) and isinstance(state, dict)):
            raise self.malformed(where, node)
        unknown = sorted(set(params) - set(cls._param_names()))
        if unknown:
            raise self.fail(f"{name} has no parameters {unknown} in this xlogreg")
        estimator = cls(**{key: self.value(v, _join(where, key)) for key, v in params.items()})
        for key, value in state.items():
            # Data may not shadow a method or class attribute, nor a parameter.
            if key in params or not key.isidentifier() or hasattr(cls, key):
                raise self.fail(f"invalid attribute name {key!r} for {name}")
            setattr(estimator, key, self.value(value, _join(where, key)))
        self.built.append((estimator, where))
        return estimator

    def value(self, node: Any, where: str) -> Any:
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if isinstance(node, list):
            return [self.value(item, _join(where, str(i))) for i, item in enumerate(node)]
        if not (isinstance(node, dict) and len(node) == 1):
            raise self.malformed(where, node)
        ((tag, content),) = node.items()
        if tag == "float" and content in _NON_FINITE:
            return float(content)
        if tag == "tuple" and isinstance(content, list):
            return tuple(self.value(content, where))
        if tag == "dict" and isinstance(content, list):
            return self.mapping(content, where)
        if tag == "array" and isinstance(content, str):
            return self.array(content, where)
        if tag == "text_array":
            return self.text_array(content, where)
        if tag == "namedtuple":
            return self.named_tuple(content, where)
        if tag == "estimator":
            return self.estimator(content, where)
        raise self.malformed(where, node)

    def scalar(self, node: Any, where: str) -> Any:
        value = self.value(node, where)
        if not (value is None or isinstance(value, (bool, int, float, str))):
            raise self.malformed(where, node)
        return value

    def mapping(self, pairs: list, where: str) -> dict:
        result = {}
        for i, pair in enumerate(pairs):
            if not (isinstance(pair, list) and len(pair) == 2):
                raise self.malformed(where, pair)
            result[self.scalar(pair[0], where)] = self.value(pair[1], _join(where, str(i)))
        return result

    def array(self, name: str, where: str) -> Any:
        if name not in self.tensors or name in self.used:
            raise self.fail(f"{where} refers to array {name!r}, missing or already used")
        self.used.add(name)
        if self.index[name]["host"]:
            return self.tensors[name]
        return to_device(self.tensors[name], self.xp, self.device)

    def text_array(self, node: Any, where: str) -> Any:
        if not (
            isinstance(node, dict)
            and sorted(node) == ["dtype", "host", "shape", "values"]
            and isinstance(node["dtype"], str)
            and isinstance(node["host"], bool)
            and isinstance(node["values"], list)
        ):
            raise self.malformed(where, node)
        dtype = _TEXT_DTYPE.fullmatch(node["dtype"])
        shape = check_shape(node["shape"], where, limit=self.file_size, fail=self.fail)
        if dtype is None or math.prod(shape) != len(node["values"]):
            raise self.malformed(where, node)
        values = [self.scalar(v, where) for v in node["values"]]
        if dtype[1] is not None:
            self.check_text(values, int(dtype[1]), where)
        if not (node["host"] or array_api_compat.is_numpy_namespace(self.xp)):
            raise ValueError(
                f"{self.path}: {where} holds strings or Python objects, which only NumPy "
                "arrays can; load this model into NumPy (without like= or device=)"
            )
        return text_array(values, shape, node["dtype"])

    def check_text(self, values: list, length: int, where: str) -> None:
        """Strings of at most ``length`` characters, whose array fits in what is left of
        the file's allowance for text arrays (see ``_TEXT_BYTES_PER_FILE_BYTE``)."""
        if not all(isinstance(v, str) for v in values):
            raise self.fail(f"{where}: a text array holds values that are not strings")
        longest = max(map(len, values), default=0)
        if longest > length:
            raise self.fail(
                f"{where}: a text array of {length}-character items holds one of {longest}"
            )
        size = 4 * length * len(values)
        if length > self.file_size or size > self.text_bytes_left:
            raise self.fail(
                f"{where}: a text array of {len(values)} items of {length} characters "
                f"would take {size} bytes, more than this {self.file_size}-byte file allows "
                f"({_TEXT_BYTES_PER_FILE_BYTE} bytes per byte of file, plus "
                f"{_TEXT_BYTES_EXTRA}, for all its text arrays)"
            )
        self.text_bytes_left -= size

    def named_tuple(self, node: Any, where: str) -> tuple:
        if not (isinstance(node, dict) and sorted(node) == ["fields", "type"]):
            raise self.malformed(where, node)
        cls = NAMED_TUPLES.get(node["type"]) if isinstance(node["type"], str) else None
        if cls is None:
            raise self.fail(
                f"unknown NamedTuple type {node['type']!r} at {where}; "
                f"this xlogreg loads {sorted(NAMED_TUPLES)}"
            )
        fields = node["fields"]
        if not (isinstance(fields, dict) and sorted(fields) == sorted(cls._fields)):
            raise self.malformed(where, node)
        return cls(**{key: self.value(v, _join(where, key)) for key, v in fields.items()})
