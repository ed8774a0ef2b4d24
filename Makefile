# Switchboard: the commands of the README. Each installs what it needs first.
#
#   make run     build and serve http://127.0.0.1:3000 with the demo tenant
#   make test    every test: unit, integration (real server), browser end-to-end
#   make build   release build: target/release/switchboard and target/site
#   make lint    rustfmt and clippy (server and WASM builds), warnings are errors
#   make bench   measure against FastAPI, Node ws, bare axum and tokio broadcast: BENCHMARKS.md
#   make flamegraph  where the server's CPU goes on its hot paths: docs/flamegraph-*.svg

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

# npm's wasm-opt first on PATH (Debian's binaryen is too old for our bundle).
export PATH := $(CURDIR)/tools/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)

TARGET_DIR ?= $(or $(CARGO_TARGET_DIR),target)
BINARY := $(TARGET_DIR)/release/switchboard

# cargo-leptos passes these to cargo; `cargo test` gets the same ones so that it reuses the
# release build instead of compiling the crate a second time.
LEPTOS_ENV := LEPTOS_OUTPUT_NAME=switchboard LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg \
  LEPTOS_SITE_ADDR=127.0.0.1:3000 LEPTOS_RELOAD_PORT=3001 LEPTOS_LIB_DIR=. LEPTOS_BIN_DIR=. \
  LEPTOS_JS_MINIFY=true LEPTOS_HASH_FILES=false
SERVER_FEATURES := --no-default-features --features ssr
WASM_FEATURES := --no-default-features --features hydrate --target wasm32-unknown-unknown

.PHONY: run test build lint fmt tools tools-test test-rust test-e2e eval bench flamegraph clean

# cargo-leptos builds the server and the dashboard's bundle, then Trunk the messenger's
# (Trunk.toml), with the same LEPTOS_* variables and target directory so that it reuses the WASM
# dependencies cargo-leptos built. Trunk's own development page is not served.
build: tools
	cargo leptos build --release
	$(LEPTOS_ENV) CARGO_TARGET_DIR="$(TARGET_DIR)/front" trunk build --release
	rm -f target/site/messenger/index.html
	@if [ "$(TARGET_DIR)" != target ]; then mkdir -p target/release && ln -sf "$(abspath $(BINARY))" target/release/switchboard; fi

run: build
	$(BINARY) serve --demo

test: tools-test build test-rust test-e2e

# ARGS narrows the run, for example: make test-rust ARGS="--test api echo::json_format"
test-rust:
	$(LEPTOS_ENV) cargo test --release $(SERVER_FEATURES) $(ARGS)

test-e2e:
	cd end2end && SWITCHBOARD_BIN="$(abspath $(BINARY))" npx playwright test

# How the built-in assistant answers eval/knowledge.tsv's questions about the demo articles (the
# figures docs/ai.md reports; `make test` fails below 90 %).
eval: build
	$(BINARY) admin knowledge eval --dir knowledge --questions eval/knowledge.tsv

# The load generator and the bare peers are examples of this package (bench/), built against the
# same release dependencies as the tests.
bench: build
	$(LEPTOS_ENV) cargo build --release $(SERVER_FEATURES) --examples
	CARGO_TARGET_DIR="$(TARGET_DIR)" bench/run.sh

# Flame graphs of the hot paths (fan-out, persisted messages) in docs/.
flamegraph: build
	$(LEPTOS_ENV) cargo build --release $(SERVER_FEATURES) --examples
	CARGO_TARGET_DIR="$(TARGET_DIR)" bench/profile.sh

lint: tools
	cargo fmt --all -- --check
	cargo clippy $(SERVER_FEATURES) --all-targets -- -D warnings
	cargo clippy $(WASM_FEATURES) --lib -- -D warnings
	cargo clippy --no-default-features --features messenger --target wasm32-unknown-unknown --lib -- -D warnings

fmt:
	cargo fmt --all

tools:
	scripts/ensure-tools.sh build

tools-test:
	scripts/ensure-tools.sh test

clean:
	cargo clean
