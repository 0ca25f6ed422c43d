"""The one error model: every failure sugraph reports to a person or a client is a `SugraphError`
whose message is written for them, with the HTTP status the service answers and the exit code the
CLI ends with (see cli.py: 2 cannot be done with this input or backend, 3 asked wrongly).

The web renders them all one way (web/errors.py); the store's errors are part of it.
"""

from __future__ import annotations


class SugraphError(Exception):
    """Something could not be done; not the asker's fault. Subclasses name their own
    `status` and `exit_code` as class arguments."""

    status = 500
    exit_code = 2

    def __init_subclass__(cls, status: int | None = None, exit_code: int | None = None, **kwargs: object):
        super().__init_subclass__(**kwargs)
        cls.status = cls.status if status is None else status
        cls.exit_code = cls.exit_code if exit_code is None else exit_code


class UsageError(SugraphError, status=400, exit_code=3):
    """The request, the command line or the configuration asks for something wrong."""


class ConfigError(UsageError, status=500):
    """A setting (an environment variable, a file) is invalid: the service cannot start."""


class NotFound(UsageError, status=404):
    """Nothing has this name or path."""


class NotAcceptable(UsageError, status=406):
    """No format the client accepts is one this resource has."""


class UriTooLong(UsageError, status=414):
    """The path is longer than any that names a resource here."""
