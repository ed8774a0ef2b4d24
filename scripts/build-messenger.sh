#!/usr/bin/env bash
# Builds the messenger's own WASM bundle (target/site/pkg/messenger.{js,wasm}) after
# `cargo leptos build --release` has built the main one.
#
# The messenger is what every visitor of every shop downloads, so it gets a bundle without the
# dashboard: the same crate with the `messenger` feature, whose `hydrate()` mounts the
# messenger alone, then the same wasm-bindgen and wasm-opt steps cargo-leptos runs. Same
# profile, target directory and LEPTOS_* variables as cargo-leptos, so the dependencies it
# built are reused and only this crate compiles again.
set -euo pipefail
cd "$(dirname "$0")/.."

target_dir="${CARGO_TARGET_DIR:-target}"
front="$target_dir/front"
pkg="target/site/pkg"
mkdir -p "$pkg"

LEPTOS_OUTPUT_NAME=switchboard LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg \
LEPTOS_SITE_ADDR=127.0.0.1:3000 LEPTOS_RELOAD_PORT=3001 LEPTOS_LIB_DIR=. LEPTOS_BIN_DIR=. \
LEPTOS_JS_MINIFY=true LEPTOS_HASH_FILES=false \
  cargo build --package=switchboard --lib --target-dir="$front" --target=wasm32-unknown-unknown \
    --no-default-features --features=messenger --profile=wasm-release

wasm-bindgen --target=web --no-typescript --out-name=messenger --out-dir="$pkg" \
  "$front/wasm32-unknown-unknown/wasm-release/switchboard.wasm"
mv "$pkg/messenger_bg.wasm" "$pkg/messenger.wasm"
wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
  "$pkg/messenger.wasm" -o "$pkg/messenger.wasm"
echo "messenger bundle: $(stat -c %s "$pkg/messenger.wasm") bytes of wasm, $(stat -c %s "$pkg/messenger.js") bytes of js"
