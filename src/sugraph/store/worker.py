"""Entry point of a query worker process: `python -m sugraph.store.worker STORE_PATH SOCKET_FD`."""

import sys
from multiprocessing.connection import Connection

from .pool import serve

if __name__ == "__main__":
    serve(sys.argv[1], Connection(int(sys.argv[2])))
