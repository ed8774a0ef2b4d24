#!/usr/bin/env bash
# `make flamegraph`: where Switchboard's CPU goes on its hot paths, as flame graphs in docs/.
# Samples the server (perf, software clock, DWARF call stacks) while bench/loadgen drives it,
# then folds the stacks with inferno. Needs Debian's linux-perf and `cargo install inferno`;
# installs them when missing.
#
#   docs/flamegraph-fanout.svg    one visitor's messages to 10,000 agent sockets
#   docs/flamegraph-persist.svg   256 visitors' messages stored in SQLite and delivered
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TARGET_DIR=${CARGO_TARGET_DIR:-target}
BIN=$TARGET_DIR/release/switchboard
LOADGEN=$TARGET_DIR/release/examples/loadgen
OUT=target/bench
mkdir -p "$OUT"

command -v perf >/dev/null || { apt-get update -qq && apt-get install -y -qq linux-perf; }
command -v inferno-flamegraph >/dev/null || cargo install --locked inferno
ulimit -n "$(ulimit -Hn)"

SERVER_PID=
stop() { [ -z "$SERVER_PID" ] || { kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=; }; }
trap stop EXIT

start_switchboard() {
  if (exec 3<>/dev/tcp/127.0.0.1/4103) 2>/dev/null; then
    echo "port 4103 is taken: stop whatever listens there and run again" >&2
    return 1
  fi
  rm -rf "$OUT/data" && mkdir -p "$OUT/data"
  RUST_LOG=warn taskset -c 0 "$BIN" serve --demo --addr 127.0.0.1:4103 \
    --database-url "sqlite://$ROOT/$OUT/data/bench.db" --ai off > "$OUT/switchboard.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 300); do (exec 3<>/dev/tcp/127.0.0.1/4103) 2>/dev/null && return 0; sleep 0.1; done
  echo "switchboard did not start; see $OUT/switchboard.log" >&2
  return 1
}

# profile NAME LOADGEN-ARGS...: samples 5 s of the server in the middle of a 14 s load.
profile() {
  local name=$1
  shift
  start_switchboard
  taskset -c 1 "$LOADGEN" "$@" --server-pid "$SERVER_PID" --warmup-secs 6 --seconds 8 > "$OUT/profile-$name.json" &
  local load=$!
  sleep 7
  perf record -q -F 499 --call-graph dwarf,32768 -p "$SERVER_PID" -o "$OUT/perf-$name.data" -- sleep 5
  wait "$load"
  perf script -i "$OUT/perf-$name.data" 2>/dev/null | inferno-collapse-perf > "$OUT/$name.folded"
  inferno-flamegraph --title "Switchboard: $name ($(date +%F))" --width 1400 \
    < "$OUT/$name.folded" > "docs/flamegraph-$name.svg"
  stop
  echo "docs/flamegraph-$name.svg" >&2
}

profile fanout fanout --server switchboard --base http://127.0.0.1:4103 --agents 10000 --window 4
profile persist persist --base http://127.0.0.1:4103 --visitors 256
