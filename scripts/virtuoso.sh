#!/usr/bin/env bash
# A throwaway Virtuoso (Debian's virtuoso-opensource) for tests and benchmarks: its own database and
# ini in a temporary folder, HTTP and SQL ports free on 127.0.0.1 only, SPARQL Update granted to the
# anonymous SPARQL user (the instance is local and short-lived) so `sugraph load` can push the graph.
#
#   eval "$(scripts/virtuoso.sh start)"   # sets VIRTUOSO_DIR and SUGRAPH_ENDPOINT
#   scripts/virtuoso.sh stop "$VIRTUOSO_DIR"
set -euo pipefail

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start() {
  command -v virtuoso-t >/dev/null || { echo "virtuoso-t not found: apt-get install -y virtuoso-opensource" >&2; exit 1; }
  local dir http sql vad
  dir=$(mktemp -d "${TMPDIR:-/tmp}/sugraph-virtuoso.XXXXXX")
  http=$(free_port); sql=$(free_port)
  vad=/usr/share/virtuoso-opensource-7/vad
  cat > "$dir/virtuoso.ini" <<INI
[Database]
DatabaseFile = $dir/virtuoso.db
ErrorLogFile = $dir/virtuoso.log
LockFile = $dir/virtuoso.lck
TransactionFile = $dir/virtuoso.trx
xa_persistent_file = $dir/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = $dir/virtuoso-temp.db
TransactionFile = $dir/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:$sql
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
DirsAllowed = ., $dir, $vad
VADInstallDir = $vad/
ThreadsPerQuery = 2
MaxMemPoolSize = 200000000

[HTTPServer]
ServerPort = 127.0.0.1:$http
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
MaxClientConnections = 8
ServerThreads = 8
MaxKeepAlives = 8

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
MaxQueryCostEstimationTime = 0
DefaultGraph = https://w3id.org/sugraph/graph/asserted
INI
  # Detached, in its own session, with no inherited descriptors: a caller reading our output
  # (e.g. `$(…)` or a test's subprocess pipe) must see EOF when this script ends.
  python3 - "$dir" <<'PY' >"$dir/pid"
import subprocess, sys
folder = sys.argv[1]
with open(f"{folder}/stdout.log", "wb") as log:
    p = subprocess.Popen(["virtuoso-t", "+configfile", f"{folder}/virtuoso.ini", "+foreground"], cwd=folder,
                         stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
print(p.pid)
PY
  for _ in $(seq 1 120); do
    if isql-vt "127.0.0.1:$sql" dba dba exec='grant SPARQL_UPDATE to "SPARQL";' >/dev/null 2>&1; then
      echo "VIRTUOSO_DIR=$dir"
      echo "SUGRAPH_ENDPOINT=http://127.0.0.1:$http/sparql"
      echo "VIRTUOSO_SQL_PORT=$sql"
      return 0
    fi
    kill -0 "$(cat "$dir/pid")" 2>/dev/null || break
    sleep 0.5
  done
  echo "virtuoso did not start; see $dir/virtuoso.log" >&2
  tail -20 "$dir/virtuoso.log" >&2 || true
  stop "$dir"
  exit 1
}

stop() {
  local dir=${1:?usage: virtuoso.sh stop DIR}
  if [[ -f "$dir/pid" ]]; then
    local pid; pid=$(cat "$dir/pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  [[ "$dir" == */sugraph-virtuoso.* ]] && rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-${VIRTUOSO_DIR:-}}" ;;
  *) echo "usage: $0 start | stop DIR" >&2; exit 3 ;;
esac
