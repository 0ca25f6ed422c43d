"""Settings for every entry point, read from flags and SUGRAPH_* environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any


class SettingError(ValueError):
    """A setting (variable or flag) that cannot be used; the CLI prints it as one line and exits 3."""


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"SUGRAPH_{name.upper()}", default)


@dataclass(frozen=True)
class Settings:
    """What the service and the CLI need to know; each field has a SUGRAPH_<NAME> variable."""

    root: Path | None = None  # project folder with ontology/, shapes/, data/
    endpoint: str | None = None  # remote SPARQL 1.1 endpoint; None = embedded pyoxigraph
    update_endpoint: str | None = None  # where `sugraph load` writes (default: beside endpoint)
    update_user: str | None = None  # `sugraph load`'s credentials, if the update endpoint asks (digest)
    update_password: str | None = None
    cache_dir: Path = field(
        default_factory=lambda: Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "sugraph"
    )
    inference: str = "owlrl"
    query_timeout: float = 10.0  # seconds; a request may lower it, never raise it
    max_rows: int = 10_000
    allowed_service_endpoints: tuple[str, ...] = ()  # SERVICE may call these (through the gateway of isolated workers)
    isolation: str = "auto"  # workers off the network: auto (if the kernel can), required, off
    strict: bool = False  # serve (and reload) only data that passes SHACL validation
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    log_format: str = "text"
    max_url_length: int = 8192  # bytes of path + query string; longer → 414
    max_header_bytes: int = 8192  # bytes of all request headers; more → 431
    max_body_bytes: int = 1_048_576  # bytes of a request body; more → 413
    max_query_length: int = 65_536  # characters of a SPARQL query; more → 413
    max_response_bytes: int = 64 << 20  # bytes of one /sparql answer; more → 413 (narrow the query or page it)
    queries_dir: Path | None = None  # the named queries' folder; None = <root>/queries
    # engine processes for clients' queries (+1 for the site's): one more than the cores, so no core
    # waits while the server's event loop hands a finished worker its next query
    query_workers: int = field(default_factory=lambda: (os.cpu_count() or 1) + 1)
    result_cache_bytes: int = 64 << 20  # the in-process result cache's budget (keys and answers)
    answers_bytes: int = 256 << 20  # the site's slow answers kept beside the prebuilt store (compressed); 0: none

    def __post_init__(self) -> None:
        if self.isolation not in ("auto", "required", "off"):
            raise SettingError(f"SUGRAPH_ISOLATION={self.isolation!r}: expected auto, required or off")
        if self.query_workers < 1:
            raise SettingError(f"SUGRAPH_QUERY_WORKERS={self.query_workers!r}: expected at least 1")
        if self.result_cache_bytes < 0:
            raise SettingError(f"SUGRAPH_RESULT_CACHE_BYTES={self.result_cache_bytes!r}: expected 0 (no cache) or more")
        if self.answers_bytes < 0:
            raise SettingError(f"SUGRAPH_ANSWERS_BYTES={self.answers_bytes!r}: expected 0 (none kept) or more")

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Defaults, then SUGRAPH_* variables, then explicit overrides (CLI flags) that are not None."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = _env(f.name)
            if raw is not None:
                values[f.name] = _parse(f.name, str(f.type), raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return replace(cls(), **values)


def _parse(name: str, annotation: str, raw: str) -> object:
    """A variable's text as the field's type (the annotations are strings: `from __future__`).
    An empty value of an optional field is None; a malformed value is a SettingError naming the variable."""
    kind, optional = annotation.removesuffix(" | None"), annotation.endswith(" | None")
    if optional and not raw.strip():
        return None
    if kind == "Path":
        return Path(raw)
    if kind == "bool":
        if raw.strip().lower() in ("1", "true", "yes", "on"):
            return True
        if raw.strip().lower() in ("0", "false", "no", "off", ""):
            return False
        raise SettingError(f"SUGRAPH_{name.upper()}={raw!r}: expected 1 or 0 (true or false)")
    if kind == "tuple[str, ...]":
        return tuple(raw.split())
    if kind in ("int", "float"):
        try:
            return int(raw) if kind == "int" else float(raw)
        except ValueError:
            expected = "an integer" if kind == "int" else "a number"
            raise SettingError(f"SUGRAPH_{name.upper()}={raw!r}: expected {expected}") from None
    return raw
