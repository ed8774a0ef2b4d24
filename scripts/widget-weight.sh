#!/usr/bin/env bash
# The widget's first load, file by file, raw and brotli (quality 11, as a CDN or a
# pre-compressing proxy serves it): what a shop's visitor downloads before the bubble works.
# Needs a release build (make build) and Debian's `brotli`.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v brotli >/dev/null || { echo "needs brotli: apt-get install -y brotli" >&2; exit 1; }

port="${PORT:-3197}"
data="$(mktemp -d)"
trap 'kill "$server" 2>/dev/null || true; rm -rf "$data"' EXIT
target/release/switchboard serve --demo --addr "127.0.0.1:$port" --database-url "sqlite://$data/db" >/dev/null 2>&1 &
server=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done

printf '| file | raw bytes | brotli bytes |\n|---|---:|---:|\n'
total_raw=0; total_br=0
for path in /widget.js /widget/demo /chat.css /messenger.css /messenger/switchboard.js /messenger/switchboard_bg.wasm; do
  curl -sf "http://127.0.0.1:$port$path" -o "$data/file"
  raw=$(stat -c %s "$data/file"); br=$(brotli -c -q 11 "$data/file" | wc -c)
  total_raw=$((total_raw + raw)); total_br=$((total_br + br))
  printf '| `%s` | %d | %d |\n' "$path" "$raw" "$br"
done
printf '| **total** (no web fonts: system fonts only) | **%d** | **%d** |\n' "$total_raw" "$total_br"
main_raw=$(stat -c %s target/site/pkg/switchboard.wasm); main_br=$(brotli -c -q 11 target/site/pkg/switchboard.wasm | wc -c)
printf '\nFor comparison, the dashboard'"'"'s bundle `/pkg/switchboard.wasm`: %d raw, %d brotli.\n' "$main_raw" "$main_br"
