# Twofold's two commands: `make run` and `make test`. Both install what they need when it is
# missing (the wasm target, the wasm-bindgen CLI at the locked version, wasm-opt from npm's
# binaryen, Debian's Chromium, the end-to-end tests' npm packages), so they work on a fresh
# machine. See ../shared/TOOLCHAIN.md for why each tool comes from where it does.
#
# The build is plain cargo, not cargo-leptos: the server and the wasm front end are built with
# cargo, the wasm is bound with wasm-bindgen and shrunk with wasm-opt. `cargo leptos watch`
# still works for those who have cargo-leptos (see [[workspace.metadata.leptos]]).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := run

# Both can be pointed elsewhere to share them between clones (CI does).
CARGO_TARGET_DIR ?= $(CURDIR)/target
TOOLS_DIR ?= $(CURDIR)/.tools
export CARGO_TARGET_DIR

SITE_DIR := $(CARGO_TARGET_DIR)/site
PKG_DIR := $(SITE_DIR)/pkg
SERVER_BIN := $(CARGO_TARGET_DIR)/release/twofold
WASM_TARGET := wasm32-unknown-unknown
WASM_RAW := $(CARGO_TARGET_DIR)/$(WASM_TARGET)/wasm-release/frontend.wasm

# The wasm-bindgen CLI must match the crate in Cargo.lock exactly.
WASM_BINDGEN_VERSION := $(shell awk '/^name = "wasm-bindgen"$$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
# npm's binaryen, never Debian's (version 108 breaks hydration; TOOLCHAIN.md).
BINARYEN_VERSION := 132
# The features Rust's wasm32 target emits by default; wasm-opt must accept them.
WASM_OPT_FEATURES := --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
	--enable-mutable-globals --enable-reference-types --enable-multivalue

export PATH := $(TOOLS_DIR)/bin:$(TOOLS_DIR)/npm/node_modules/.bin:$(PATH)

.PHONY: run test test-cargo test-e2e build site tools wasm-target wasm-bindgen wasm-opt \
	chromium e2e-deps check-ledger fmt lint clean

## run: build everything in release mode and serve on TWOFOLD_ADDR (default 127.0.0.1:3000)
run: build
	mkdir -p data
	TWOFOLD_SITE_ROOT="$(SITE_DIR)" "$(SERVER_BIN)"

## test: every test: unit, integration and property tests, then the browser end-to-end suite
test: test-cargo test-e2e

test-cargo:
	cargo test --workspace --exclude frontend

test-e2e: build chromium e2e-deps
	SERVER_BIN="$(SERVER_BIN)" SITE_DIR="$(SITE_DIR)" end2end/run.sh

## build: the release server and the site (wasm, JS glue, CSS) it serves
build: site
	cargo build --release -p server --bin twofold

site: tools
	cargo build -p frontend --lib --target $(WASM_TARGET) --profile wasm-release
	mkdir -p "$(PKG_DIR)"
	wasm-bindgen --target web --no-typescript --out-dir "$(PKG_DIR)" --out-name twofold "$(WASM_RAW)"
	wasm-opt -Oz $(WASM_OPT_FEATURES) -o "$(PKG_DIR)/twofold_bg.wasm" "$(PKG_DIR)/twofold_bg.wasm"
	cp style/main.css "$(PKG_DIR)/twofold.css"

tools: wasm-target wasm-bindgen wasm-opt

wasm-target:
	@rustup target list --installed | grep -qx $(WASM_TARGET) || rustup target add $(WASM_TARGET)

wasm-bindgen:
	@if [ "$$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $(WASM_BINDGEN_VERSION)" ]; then \
		echo "Installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION) into $(TOOLS_DIR)"; \
		CARGO_TARGET_DIR="$(TOOLS_DIR)/build" cargo install --root "$(TOOLS_DIR)" \
			wasm-bindgen-cli --version "$(WASM_BINDGEN_VERSION)"; \
		rm -rf "$(TOOLS_DIR)/build"; \
	fi

wasm-opt:
	@if [ "$$(wasm-opt --version 2>/dev/null | awk '{print $$3}')" != "$(BINARYEN_VERSION)" ]; then \
		echo "Installing binaryen $(BINARYEN_VERSION) from npm into $(TOOLS_DIR)/npm"; \
		mkdir -p "$(TOOLS_DIR)/npm"; \
		npm install --prefix "$(TOOLS_DIR)/npm" --no-audit --no-fund binaryen@$(BINARYEN_VERSION); \
	fi

chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
		echo "Installing Debian's chromium"; \
		apt-get update -qq; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core; \
	fi

e2e-deps:
	@if [ ! -d end2end/node_modules ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then \
		cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund; \
	fi

## check-ledger: prove the ledger of TWOFOLD_DATABASE_URL is consistent
check-ledger:
	cargo run --release -p server --bin twofold -- check-ledger

fmt:
	cargo fmt --all

lint:
	cargo fmt --all --check
	cargo clippy --workspace --exclude frontend --all-targets -- -D warnings

clean:
	cargo clean
	rm -rf end2end/node_modules end2end/test-results end2end/screenshots
