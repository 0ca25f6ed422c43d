"""Query workers without a network: each moves into a network namespace of its own before it
opens the store, so the engine's HTTP client (pyoxigraph fetches `SERVICE <url>`) can reach no
host, whatever a query says. The kernel enforces it; no reading of a query text is trusted for it.

A new network namespace holds only a loopback interface, down. `isolate` brings it up so that the
worker can listen on its own 127.0.0.1 for the one door it keeps: the federation gateway, which
the server (outside the namespace) serves on that listening socket and which forwards only to the
allowed SERVICE endpoints (see gateway.py). Linux only; elsewhere, or where the kernel refuses
namespaces (seccomp profiles of some container runtimes), the worker says why and the service
refuses every SERVICE clause instead.
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import socket
import struct
import sys

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
_SIOCGIFFLAGS, _SIOCSIFFLAGS, _IFF_UP = 0x8913, 0x8914, 0x1
ISOLATED = "network namespace"  # what /ready reports for an isolated pool
GATEWAY_PORT = 3030  # the door an isolated worker listens on, in its own namespace, so it never collides


def isolate() -> str | None:
    """Move this process into a new network namespace (with a user namespace when not root) and
    bring its loopback up; None when done, else why not (nothing is changed then)."""
    if not sys.platform.startswith("linux"):
        return f"network namespaces need Linux, not {sys.platform}"
    libc = ctypes.CDLL(None, use_errno=True)
    flags = CLONE_NEWNET if os.geteuid() == 0 else CLONE_NEWUSER | CLONE_NEWNET
    if libc.unshare(flags) != 0:
        return f"the kernel refused a network namespace: {os.strerror(ctypes.get_errno())}"
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        request = struct.pack("16sH14s", b"lo", 0, b"")
        current = struct.unpack("16sH14s", fcntl.ioctl(s, _SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(s, _SIOCSIFFLAGS, struct.pack("16sH14s", b"lo", current | _IFF_UP, b""))
    return None
