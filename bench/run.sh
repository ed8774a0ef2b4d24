#!/usr/bin/env bash
# `make bench`: measures Switchboard against the servers a user would pick instead, side by side
# in one run on this machine, and writes BENCHMARKS.md and docs/bench-latency.png.
#
# Every server under test runs pinned to CPU 0 and the load generator (bench/loadgen, one
# thread) to CPU 1, so the server is what runs out; its CPU time comes from /proc/PID/stat.
# Everything is on 127.0.0.1 and every run is bounded in time. `make bench` builds first.
#
#   BENCH_SECONDS   length of each measured window (default 10; warm-ups are extra)
source "$(dirname "$0")/lib.sh"
RESULTS=$OUT/results.jsonl
SECONDS_EACH=${BENCH_SECONDS:-10}

: > "$RESULTS"
started=$(date +%s)

# ---- peers' runtimes ------------------------------------------------------------------------
if [ ! -x "$OUT/venv/bin/uvicorn" ] || ! cmp -s bench/requirements.txt "$OUT/venv/requirements.txt"; then
  log "installing FastAPI, uvicorn[standard] and matplotlib from PyPI into $OUT/venv"
  python3 -m venv "$OUT/venv"
  "$OUT/venv/bin/pip" install --quiet --disable-pip-version-check -r bench/requirements.txt
  cp bench/requirements.txt "$OUT/venv/requirements.txt"
fi
if [ ! -d bench/peers/node/node_modules/ws ]; then
  log "installing the Node.js ws package from npm"
  (cd bench/peers/node && npm ci --no-audit --no-fund --silent)
fi

# measure LABEL ARGS...: one load generator run, its JSON line kept under LABEL.
measure() {
  local label=$1
  shift
  log "$label"
  local json
  json=$(taskset -c "$LOADGEN_CPU" "$LOADGEN" "$@")
  echo "$json" >&2
  printf '{"label":"%s","result":%s}\n' "$label" "$json" >> "$RESULTS"
}

timing() { echo --server-pid "$SERVER_PID" --warmup-secs 2 --seconds "$SECONDS_EACH"; }

# ---- 1. echo: 100 connections, one 20-byte message in flight on each ------------------------
start fastapi 4104 bash -c "cd bench/peers/fastapi && exec '$ROOT/$OUT/venv/bin/uvicorn' server:app --host 127.0.0.1 --port 4104 --log-level warning"
measure echo/fastapi echo --url ws://127.0.0.1:4104/ws $(timing)
stop
start node 4102 node bench/peers/node/server.js 4102
measure echo/node echo --url ws://127.0.0.1:4102/ws $(timing)
stop
start bare-axum "4100" "$TARGET_DIR/release/examples/bare-axum-echo" 127.0.0.1:4100
measure echo/bare-axum echo --url ws://127.0.0.1:4100/ws $(timing)
stop
start_switchboard
measure echo/switchboard echo --url ws://127.0.0.1:4103/ws/echo $(timing)
stop

# ---- 2. fan-out to 10,000 agent sockets, and latency against load -------------------------
FANOUT_AGENTS=10000
LATENCY_AGENTS=100
RATES="250 500 1000 2000 4000"
start_switchboard
measure fanout/switchboard fanout --server switchboard --base http://127.0.0.1:4103 \
  --agents $FANOUT_AGENTS --visitors 8 --window 8 $(timing)
stop
start bare-broadcast 4101 "$TARGET_DIR/release/examples/bare-broadcast" 127.0.0.1:4101
measure fanout/bare fanout --server bare --base http://127.0.0.1:4101 \
  --agents $FANOUT_AGENTS --visitors 8 --window 8 $(timing)
stop
for server in switchboard bare; do
  for rate in $RATES; do
    if [ $server = switchboard ]; then start_switchboard; base=http://127.0.0.1:4103
    else start bare-broadcast 4101 "$TARGET_DIR/release/examples/bare-broadcast" 127.0.0.1:4101; base=http://127.0.0.1:4101; fi
    measure "latency/$server/$rate" fanout --server $server --base $base --agents $LATENCY_AGENTS \
      --visitors 100 --rate "$rate" --server-pid "$SERVER_PID" --warmup-secs 1 --seconds 5
    stop
  done
done

# ---- 3. idle sockets: resident memory per open socket ---------------------------------------
# The server and the load generator each hold one descriptor per socket. Counts above what this
# machine's hard limit on open files allows are reported as not measured, never faked.
ulimit -n "$(ulimit -Hn)"
limit=$(ulimit -n)
COUNTS=""
SKIPPED=""
for n in 1000 5000 10000 50000 100000; do
  if [ $((n + 1000)) -le "$limit" ]; then COUNTS="$COUNTS${COUNTS:+,}$n"; else SKIPPED="$SKIPPED${SKIPPED:+,}$n"; fi
done
printf '{"label":"idle/limit","result":{"scenario":"limit","open_files_hard_limit":%s,"skipped":"%s"}}\n' "$limit" "$SKIPPED" >> "$RESULTS"
start_switchboard
measure idle/switchboard idle --kind visitor --base http://127.0.0.1:4103 --counts "$COUNTS" --server-pid "$SERVER_PID"
stop
start bare-axum 4100 "$TARGET_DIR/release/examples/bare-axum-echo" 127.0.0.1:4100
measure idle/bare-axum idle --kind plain --base http://127.0.0.1:4100 --path /ws --counts "$COUNTS" --server-pid "$SERVER_PID"
stop

# ---- 4. persisted messages: append to SQLite, publish, deliver ------------------------------
start_switchboard
measure persist/switchboard persist --base http://127.0.0.1:4103 --visitors 256 $(timing)
stop

# ---- the report -----------------------------------------------------------------------------
elapsed=$(( $(date +%s) - started ))
machine=$(printf '%s; %s cores; %s GiB; %s' "$(lscpu | sed -n 's/^Model name: *//p' | head -1)" \
  "$(nproc --all)" "$(awk '/MemTotal/ {printf "%d", $2/1048576}' /proc/meminfo)" "$(uname -sr)")
"$OUT/venv/bin/python" bench/report.py --results "$RESULTS" --markdown BENCHMARKS.md \
  --plot docs/bench-latency.png --machine "$machine" --elapsed "$elapsed" \
  --versions "$("$BIN" --version 2>/dev/null || echo switchboard); rustc $(rustc --version | cut -d' ' -f2); node $(node --version); $("$OUT/venv/bin/python" --version); uvicorn $("$OUT/venv/bin/python" -c 'import uvicorn; print(uvicorn.__version__)'); ws $(node -p 'require("./bench/peers/node/node_modules/ws/package.json").version')"
log "done in ${elapsed}s: BENCHMARKS.md, docs/bench-latency.png"
