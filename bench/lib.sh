# Shared by bench/run.sh and bench/profile.sh (sourced, not run): where things are, and starting
# and stopping the server under test on CPU 0.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
TARGET_DIR=${CARGO_TARGET_DIR:-target}
BIN=$TARGET_DIR/release/switchboard
LOADGEN=$TARGET_DIR/release/examples/loadgen
OUT=target/bench
SERVER_CPU=0
LOADGEN_CPU=1
mkdir -p "$OUT"

log() { printf '\n== %s\n' "$*" >&2; }

SERVER_PID=
wait_for_port() {
  local port=$1
  for _ in $(seq 1 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "nothing listens on port $port after 30 s; see $OUT/*.log" >&2
  return 1
}

# start NAME PORT COMMAND...: runs COMMAND on the server CPU, logging to $OUT/NAME.log.
start() {
  local name=$1 port=$2
  shift 2
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "port $port is taken: stop whatever listens there and run again" >&2
    return 1
  fi
  taskset -c "$SERVER_CPU" "$@" > "$OUT/$name.log" 2>&1 &
  SERVER_PID=$!
  wait_for_port "$port"
}

stop() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
  fi
}
trap stop EXIT

# Switchboard on port 4103 with a new SQLite file, the demo tenant and no AI (the benches
# measure the hub, not the assistant). Every load comes from 127.0.0.1, so the limits per
# address, conversation and socket are off: they would measure themselves.
start_switchboard() {
  rm -rf "$OUT/data" && mkdir -p "$OUT/data"
  RUST_LOG=warn start switchboard 4103 "$BIN" serve --demo --addr 127.0.0.1:4103 \
    --database-url "sqlite://$ROOT/$OUT/data/bench.db" --ai off \
    --max-sockets-per-ip 1000000 --rate-login-ip off --rate-start-ip off --rate-start-widget off \
    --rate-message-ip off --rate-message-widget off --rate-session-chat off \
    --rate-session-typing off --rate-socket-frames off
}
