"""sugraph: the Security Union knowledge graph."""

__version__ = "0.1.0"

# The Python API of `sugraph validate` (after __version__, which sugraph.build reads).
from .validate import Report, Result, Severity, validate  # noqa: E402

__all__ = ["Report", "Result", "Severity", "__version__", "validate"]
