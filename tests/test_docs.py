"""The documentation's API reference names every public name, each once."""

import importlib
import re
import types
from pathlib import Path

import pytest

import xlogreg

REFERENCE = Path(__file__).resolve().parents[1] / "docs" / "api" / "index.rst"

PUBLIC_MODULES = (
    "xlogreg",
    "xlogreg.linear_model",
    "xlogreg.model_selection",
    "xlogreg.metrics",
    "xlogreg.calibration",
    "xlogreg.inference",
    "xlogreg.preprocessing",
    "xlogreg.explain",
    "xlogreg.drift",
    "xlogreg.io",
    "xlogreg.runs",
    "xlogreg.card",
    "xlogreg.datasets",
    "xlogreg.serve",
    "xlogreg.exceptions",
)


def _documented():
    """{module: names listed in its autosummary} from docs/api/index.rst."""
    documented, module = {}, None
    for line in REFERENCE.read_text().splitlines():
        if match := re.fullmatch(r"\.\. automodule:: (\S+)", line):
            module = match.group(1)
            documented[module] = []
        elif module and (match := re.fullmatch(r" {3}(\w+)", line)):
            documented[module].append(match.group(1))
    return documented


def test_the_reference_documents_every_public_module():
    assert tuple(_documented()) == PUBLIC_MODULES


@pytest.mark.parametrize("module", PUBLIC_MODULES)
def test_the_reference_lists_each_public_name_once(module):
    """A name that ``xlogreg`` re-exports is documented there, not again in its module."""
    namespace = importlib.import_module(module)
    public = [
        name
        for name in namespace.__all__
        if not isinstance(getattr(namespace, name), types.ModuleType)
        and (module == "xlogreg" or name not in xlogreg.__all__)
    ]
    assert sorted(_documented()[module]) == sorted(public)
