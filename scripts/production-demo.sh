#!/usr/bin/env bash
# Try the production setup of docs/production.md on this machine, on 127.0.0.1 only: two sugraph
# replicas (`sugraph serve` each) behind nginx from Debian, with deploy/nginx.conf.
# Checks what the setup promises (identical answers from every worker, failover, fast restart on the
# built store, reload without errors, limits at the proxy), prints each result, and stops everything
# it started (by pid) on exit. Ports: P1, P2 (replicas) and PROXY (nginx); WORKERS per replica.
set -euo pipefail
cd "$(dirname "$0")/.."

P1=${P1:-18101} P2=${P2:-18102} PROXY=${PROXY:-18080} WORKERS=${WORKERS:-1}  # see docs/production.md on --workers
command -v nginx >/dev/null || { echo "nginx is missing: sudo apt-get install -y nginx" >&2; exit 1; }
. .venv/bin/activate

RUN=$(mktemp -d /tmp/sugraph-production.XXXXXX)
chmod 755 "$RUN" && mkdir -m 1777 "$RUN/tmp"   # nginx's workers may run as another user
declare -A replica=()
URL="http://127.0.0.1:$PROXY"

cleanup() {
  [ -f "$RUN/nginx.pid" ] && nginx -p "$RUN" -c "$RUN/nginx.conf" -s quit 2>/dev/null || true
  for pid in "${replica[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "logs kept in $RUN"
}
trap cleanup EXIT

start_replica() {  # $1 = port
  sugraph serve --port "$1" --workers "$WORKERS" --log-format json 2>>"$RUN/replica-$1.log" &
  replica[$1]=$!
}

wait_ready() {  # $1 = port; prints the seconds it took
  local start=$SECONDS
  for _ in $(seq 200); do
    if curl -fs "http://127.0.0.1:$1/ready" >/dev/null; then echo $((SECONDS - start)); return 0; fi
    sleep 0.2
  done
  echo "replica :$1 did not become ready" >&2; return 1
}

errors_during() {  # $1 = requests, then a command run meanwhile; prints how many were not 200
  local n=$1 bad=0; shift
  "$@" &
  local side=$!
  for _ in $(seq "$n"); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/sparql?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D")
    [ "$code" = 200 ] || bad=$((bad + 1))
    sleep 0.05
  done
  wait "$side" || true
  echo "$bad"
}

echo "== starting replicas on :$P1 and :$P2 ($WORKERS uvicorn workers each)"
start_replica "$P1"; start_replica "$P2"
echo "ready after $(wait_ready "$P1") s and $(wait_ready "$P2") s"

echo "== nginx $(nginx -v 2>&1 | cut -d/ -f2) on :$PROXY with deploy/nginx.conf"
sed -e "s/127.0.0.1:8001/127.0.0.1:$P1/; s/127.0.0.1:8002/127.0.0.1:$P2/" \
    -e "s/listen 127.0.0.1:8080/listen 127.0.0.1:$PROXY/; s|/var/log/nginx/sugraph.access.log|$RUN/access.log|" \
    deploy/nginx.conf >"$RUN/sugraph.conf"
cat >"$RUN/nginx.conf" <<EOF
worker_processes 2;
pid $RUN/nginx.pid;
error_log $RUN/error.log warn;
events { worker_connections 512; }
http {
  client_body_temp_path $RUN/tmp/body; proxy_temp_path $RUN/tmp/proxy; fastcgi_temp_path $RUN/tmp/fastcgi;
  uwsgi_temp_path $RUN/tmp/uwsgi; scgi_temp_path $RUN/tmp/scgi;
  include $RUN/sugraph.conf;
}
EOF
nginx -t -q -p "$RUN" -c "$RUN/nginx.conf"
nginx -p "$RUN" -c "$RUN/nginx.conf"
sleep 0.5

echo "== through the proxy"
echo "health: $(curl -fs "$URL/health")"
echo "ready:  $(curl -fs "$URL/ready")"
curl -s -D - -o /dev/null "$URL/" | grep -iE '^(server|x-request-id|content-security-policy|x-content-type-options|referrer-policy):' | tr -d '\r'
id=$(curl -s -D - -o /dev/null "$URL/health" | tr -d '\r' | awk 'tolower($1)=="x-request-id:" {print $2}')
sleep 0.2
echo "request id $id in nginx's log: $(grep -c "id=$id" "$RUN/access.log"), in a replica's log: $(cat "$RUN"/replica-*.log | grep -c "\"request_id\": \"$id\"")"

echo "== identical answers from every worker"
for path in "/queries/measures-for-threat?threat=threat:terrorism" \
            "/sparql?query=SELECT%20%3Fs%20WHERE%20%7B%3Fs%20a%20%3Chttps%3A%2F%2Fw3id.org%2Fsugraph%2Fontology%23Threat%3E%7D%20ORDER%20BY%20%3Fs" \
            "/doc/threat/terrorism.ttl"; do
  distinct=$(for _ in $(seq 40); do curl -fs -H 'Accept: application/sparql-results+json' "$URL$path" | sha256sum; done | sort -u | wc -l)
  echo "$path: 40 requests, $distinct distinct answer(s)"
done
echo "served by: $(grep -o 'upstream=[0-9.:]*' "$RUN/access.log" | sort | uniq -c | tr '\n' ' ')"

echo "== latency through the proxy (one keep-alive connection, 100 requests)"
curl -s -w '%{time_total}\n' $(for _ in $(seq 100); do echo "-o /dev/null $URL/health"; done) |
  sort -n | awk '{t[NR] = $1 * 1000} END {printf "/health: p50 %.1f ms, p99 %.1f ms\n", t[int(NR * 0.5)], t[int(NR * 0.99)]}'

echo "== limits at the proxy"
echo "2 MB body: HTTP $(head -c 2000000 /dev/zero | curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/sparql-query' --data-binary @- "$URL/sparql")"

echo "== failover: replica :$P1 stops, requests keep coming"
bad=$(errors_during 60 bash -c "sleep 0.5; kill ${replica[$P1]}")
echo "non-200 answers while :$P1 stopped: $bad of 60"
wait "${replica[$P1]}" 2>/dev/null || true

echo "== restart :$P1 with unchanged data"
logged=$(wc -l <"$RUN/replica-$P1.log")
start_replica "$P1"
echo "ready after $(wait_ready "$P1") s; $(tail -n +$((logged + 1)) "$RUN/replica-$P1.log" | grep -c 'reusing the prebuilt store') of $WORKERS workers reused the built store"

echo "== SIGHUP to replica :$P2 (reload; with --workers > 1 uvicorn replaces its workers one by one)"
bad=$(errors_during 60 bash -c "sleep 0.5; kill -HUP ${replica[$P2]}")
echo "non-200 answers during the reload: $bad of 60"
