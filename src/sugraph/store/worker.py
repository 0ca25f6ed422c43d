"""Entry point of a query worker process: `python -m sugraph.store.worker STORE SOCKET_FD ISOLATION DOOR`."""

import socket
import sys

from .pool import serve

if __name__ == "__main__":
    path, fd, isolation, door = sys.argv[1:5]
    serve(path, socket.socket(fileno=int(fd)), isolation, door == "door")
