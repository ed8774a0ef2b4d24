#!/usr/bin/env bash
# Installs whatever the build and the tests need and is not here yet. Safe to run again: each
# step checks first. Everything comes from the package registries (crates.io, npm, Debian);
# nothing downloads a prebuilt binary from anywhere else.
#
#   scripts/ensure-tools.sh build   # what `make build` and `make run` need
#   scripts/ensure-tools.sh test    # that, plus the browser and the end-to-end packages
set -euo pipefail
cd "$(dirname "$0")/.."

want=${1:-build}
CARGO_LEPTOS_VERSION=0.3.11
# Trunk builds the messenger's bundle (Trunk.toml). 0.22 needs a newer rustc than 1.95.
TRUNK_VERSION=0.21
# Must equal the `wasm-bindgen = "=…"` pin in Cargo.toml, to the patch version.
WASM_BINDGEN_VERSION=0.2.130

say() { printf '==> %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_updated=
apt_install() {
  if [ -z "$apt_updated" ]; then
    as_root apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (10-20 minutes on 2 cores, once)"
  # no_downloads: never fetch wasm-bindgen/wasm-opt/sass from outside the registries.
  # --ignore-rust-version: a locked dependency asks for a newer rustc than it needs.
  cargo install --locked --ignore-rust-version cargo-leptos --version "$CARGO_LEPTOS_VERSION" --features no_downloads
fi

if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  # Not --locked: its lock file names a webpki-roots release the registry no longer has.
  cargo install --force wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

if ! trunk --version 2>/dev/null | grep -q "trunk $TRUNK_VERSION\."; then
  say "installing trunk $TRUNK_VERSION (about 6 minutes on 2 cores, once)"
  # No default features: no update check and no TLS stack for downloads; Trunk.toml keeps it
  # offline, with wasm-bindgen and wasm-opt from this machine.
  cargo install --locked trunk --version "^$TRUNK_VERSION" --no-default-features
fi

# `npm ci` in DIR unless DIR/node_modules was installed from the same lock file already.
npm_ci() {
  local dir=$1 stamp=$1/node_modules/.installed-from-lock
  if ! cmp -s "$dir/package-lock.json" "$stamp" 2>/dev/null; then
    say "installing the npm packages of $dir"
    npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
    cp "$dir/package-lock.json" "$stamp"
  fi
}

# wasm-opt from npm's binaryen (Debian's is too old: the bundle it optimises fails to hydrate).
npm_ci tools

if [ "$want" = test ]; then
  if ! command -v chromium >/dev/null; then
    say "installing Debian's chromium"
    apt_install chromium
  fi
  # Without a colour emoji font, screenshots show emoji as empty boxes.
  if ! dpkg -s fonts-noto-color-emoji >/dev/null 2>&1; then
    say "installing an emoji font for the browser"
    apt_install fonts-noto-color-emoji
  fi
  npm_ci end2end
  # The PostgreSQL store and the Redis bus are tested against the real servers, which the
  # tests start themselves on free ports (tests/api/common/services.rs). Only the programs are
  # needed: the packages' own services are kept from starting.
  need=()
  compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || need+=(postgresql)
  command -v redis-server >/dev/null || need+=(redis-server)
  # Email follow-ups are tested against a real SMTP server on loopback (tests/smtp/sink.py).
  /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || need+=(python3-aiosmtpd)
  if [ ${#need[@]} -gt 0 ]; then
    say "installing Debian's ${need[*]} for the cluster and email tests"
    no_services=
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null
      as_root chmod +x /usr/sbin/policy-rc.d
      no_services=1
    fi
    apt_install "${need[@]}"
    if [ -n "$no_services" ]; then as_root rm -f /usr/sbin/policy-rc.d; fi
  fi
fi
