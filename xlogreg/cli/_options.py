"""Options the commands share: the array library, the device and the dtype to compute in;
the model (a file or a run) of evaluate and predict, and the id columns of the data."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated, Any, NamedTuple

import typer

from xlogreg._backend import compute_target, from_numpy, has_float64, library_devices

__all__ = [
    "Backend",
    "BackendOption",
    "Device",
    "DeviceOption",
    "Dtype",
    "DtypeOption",
    "IdColumnsOption",
    "ModelArgument",
    "ModelRunsDirOption",
    "Target",
]


class Backend(str, enum.Enum):
    """Array libraries the commands can compute with."""

    numpy = "numpy"
    torch = "torch"
    cupy = "cupy"
    jax = "jax"


class Device(str, enum.Enum):
    """Where to compute; ``auto`` picks a GPU when the library has one here."""

    cpu = "cpu"
    cuda = "cuda"
    mps = "mps"
    auto = "auto"


class Dtype(str, enum.Enum):
    """Floating-point precision of the data and the model."""

    float32 = "float32"
    float64 = "float64"


BackendOption = Annotated[Backend, typer.Option("--backend", help="Array library to compute with.")]
DeviceOption = Annotated[
    Device, typer.Option("--device", help="Device to compute on; auto: a GPU if there is one.")
]
DtypeOption = Annotated[
    Dtype,
    typer.Option("--dtype", help="Precision (float64 becomes float32 on devices without it)."),
]

# A saved model, found by xlogreg.runs.find_model(model, runs_dir=runs_dir).
ModelArgument = Annotated[
    str,
    typer.Argument(
        help="A model file, a run folder, or (with --runs-dir) a run id or 'production'."
    ),
]
ModelRunsDirOption = Annotated[
    Path | None,
    typer.Option("--runs-dir", help="The runs folder where MODEL names a run."),
]
IdColumnsOption = Annotated[
    list[str] | None,
    typer.Option(
        "--id-column",
        metavar="COLUMN",
        help="A column that names rows, never a feature (repeat for several); "
        "predict copies it into its output.",
    ),
]

# Why a library/device pair may be missing, for the error message.
_INSTALL = {library: f"pip install 'xlogreg[{library}]'" for library in ("torch", "cupy", "jax")}


class Target(NamedTuple):
    """A library and device that exist here, and the dtype to compute in."""

    library: str
    device: str
    dtype: str

    @classmethod
    def resolve(cls, backend: Backend, device: Device, dtype: Dtype) -> Target:
        """The pair the options name, checked against what this machine has.

        ``auto`` is CUDA where the library has it, else MPS (torch), else the
        CPU (CuPy has no CPU: there ``auto`` means CUDA). float64 becomes
        float32 on a device without it (MPS, JAX without ``JAX_ENABLE_X64=1``).

        Raises
        ------
        ValueError
            When the library is not installed or the device is not there.
        """
        library = Backend(backend).value
        available = [where for _, where in library_devices(library)]
        if not available:
            raise ValueError(
                f"--backend {library}: {library} is not installed ({_INSTALL[library]})"
            )
        wanted = Device(device).value
        if wanted == "auto":
            chosen = next((d for d in ("cuda", "mps", "cpu") if d in available), None)
        else:
            chosen = wanted if wanted in available else None
        if chosen is None:
            raise ValueError(
                f"--device {wanted}: {library} has no such device here (available: "
                f"{', '.join(available) or 'none'})"
            )
        target = cls(library, chosen, Dtype(dtype).value)
        if target.dtype == "float64" and not target.has_float64():
            return target._replace(dtype="float32")
        return target

    def has_float64(self) -> bool:
        """Whether this target's device holds float64."""
        return has_float64(*compute_target(self.spec()))

    def array(self, host: Any, *, floating: bool = True) -> Any:
        """A NumPy array on this target: floats in its dtype, other arrays as they are."""
        if floating:
            host = host.astype(self.dtype, copy=False)
        return from_numpy(host, self.library, self.device)

    def spec(self) -> str:
        """This target's compute-device name (:func:`xlogreg._backend.parse_device`), as
        ``xlogreg.load(device=...)`` and ``make_classification(device=...)`` take it.

        Examples
        --------
        >>> from xlogreg.cli._options import Target
        >>> Target("torch", "cuda", "float32").spec(), Target("cupy", "cuda", "float32").spec()
        ('torch:cuda', 'cupy')
        >>> Target("jax", "cuda", "float32").spec(), Target("jax", "cpu", "float64").spec()
        ('jax:gpu', 'jax:cpu')
        """
        if self.library == "jax":
            return "jax:gpu" if self.device == "cuda" else "jax:cpu"
        return {"numpy": "numpy", "cupy": "cupy"}.get(self.library, f"torch:{self.device}")

    def describe(self) -> str:
        """``"torch on cuda, float32"``."""
        return f"{self.library} on {self.device}, {self.dtype}"
