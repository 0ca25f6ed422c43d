"""sugraph: the Security Union knowledge graph.

The Python API is imported on first use, so `import sugraph` (and every query worker, which lives in
this package) loads no rdflib, pyshacl or web framework until a name of the API is asked for."""

from __future__ import annotations

import sys
from importlib import import_module
from types import ModuleType

__version__ = "0.1.0"

_API = {"Report": "validate", "Result": "validate", "Severity": "validate", "validate": "validate"}
__all__ = ["Report", "Result", "Severity", "__version__", "validate"]


def __getattr__(name: str) -> object:
    """A name of the API, from the module that defines it (PEP 562)."""
    if name not in _API:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f".{_API[name]}", __name__), name)


class _Package(ModuleType):
    """`sugraph.validate` is the function although a submodule has its name: the import system binds
    each submodule it loads on the package, and this property keeps the function there."""

    @property
    def validate(self) -> object:
        return __getattr__("validate")

    @validate.setter
    def validate(self, submodule: ModuleType) -> None:
        """The submodule stays reachable as sys.modules['sugraph.validate']."""


sys.modules[__name__].__class__ = _Package
