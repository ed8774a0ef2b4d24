#!/usr/bin/env bash
# `make flamegraph`: where Switchboard's CPU goes on its hot paths, as flame graphs in docs/.
# Samples the server (perf, software clock, DWARF call stacks) while bench/loadgen drives it,
# then folds the stacks with inferno. Needs Debian's linux-perf and `cargo install inferno`;
# installs them when missing.
#
#   docs/flamegraph-fanout.svg    8 visitors' messages to 10,000 agent sockets
#   docs/flamegraph-persist.svg   256 visitors' messages stored in SQLite and delivered
source "$(dirname "$0")/lib.sh"

command -v perf >/dev/null || { apt-get update -qq && apt-get install -y -qq linux-perf; }
command -v inferno-flamegraph >/dev/null || cargo install --locked inferno
ulimit -n "$(ulimit -Hn)"

# profile NAME LOADGEN-ARGS...: samples 5 s of the server in the middle of a 14 s load.
profile() {
  local name=$1
  shift
  start_switchboard
  taskset -c "$LOADGEN_CPU" "$LOADGEN" "$@" --server-pid "$SERVER_PID" --warmup-secs 6 --seconds 8 > "$OUT/profile-$name.json" &
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

profile fanout fanout --server switchboard --base http://127.0.0.1:4103 --agents 10000 --visitors 8 --window 8
profile persist persist --base http://127.0.0.1:4103 --visitors 256
