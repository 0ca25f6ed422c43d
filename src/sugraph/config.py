"""Settings for every entry point, read from flags and SUGRAPH_* environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"SUGRAPH_{name.upper()}", default)


@dataclass(frozen=True)
class Settings:
    """What the service and the CLI need to know; each field has a SUGRAPH_<NAME> variable."""

    root: Path | None = None                     # project folder with ontology/, shapes/, data/
    public_base: str = "https://w3id.org/sugraph"  # canonical IRI base; a local server maps it to its own host
    endpoint: str | None = None                  # remote SPARQL 1.1 endpoint; None = embedded pyoxigraph
    update_endpoint: str | None = None           # where `sugraph load` writes (defaults to endpoint)
    cache_dir: Path = field(default_factory=lambda: Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "sugraph")
    inference: str = "owlrl"
    query_timeout: float = 10.0                  # seconds; a request may lower it, never raise it
    max_rows: int = 10_000
    allowed_service_endpoints: tuple[str, ...] = ()
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    log_format: str = "text"
    max_url_length: int = 8192                   # bytes of path + query string; longer → 414
    max_header_bytes: int = 8192                 # bytes of all request headers; more → 431
    max_body_bytes: int = 1_048_576              # bytes of a request body; more → 413

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Defaults, then SUGRAPH_* variables, then explicit overrides (CLI flags) that are not None."""
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = _env(f.name)
            if raw is None:
                continue
            if f.name in ("root", "cache_dir"):
                values[f.name] = Path(raw)
            elif f.name == "allowed_service_endpoints":
                values[f.name] = tuple(x for x in raw.split() if x)
            elif f.type in ("int",):
                values[f.name] = int(raw)
            elif f.type in ("float",):
                values[f.name] = float(raw)
            else:
                values[f.name] = raw
        values.update({k: v for k, v in overrides.items() if v is not None})
        return replace(cls(), **values)
