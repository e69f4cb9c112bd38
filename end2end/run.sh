#!/usr/bin/env bash
# Runs the Playwright suite against a release server on a free loopback port with a fresh
# temporary database. The server is stopped afterwards, whether the tests pass or not.
# Expects SERVER_BIN and SITE_DIR (the Makefile sets both).
set -euo pipefail

cd "$(dirname "$0")"
: "${SERVER_BIN:?set SERVER_BIN to the twofold binary}"
: "${SITE_DIR:?set SITE_DIR to the built site folder}"

work_dir=$(mktemp -d)
port=$(node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')
metering_token="e2e-metering-$(date +%s%N)"

server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work_dir"
}
trap cleanup EXIT

# A short lock window lets the suite watch a funded amount become refundable.
TWOFOLD_ADDR="127.0.0.1:$port" \
TWOFOLD_DATABASE_URL="sqlite://$work_dir/twofold.db" \
TWOFOLD_SITE_ROOT="$SITE_DIR" \
TWOFOLD_LOCK_WINDOW_SECONDS=5 \
TWOFOLD_METERING_TOKEN="$metering_token" \
RUST_LOG="${RUST_LOG:-warn}" \
  "$SERVER_BIN" >"$work_dir/server.log" 2>&1 &
server_pid=$!

for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then
    break
  fi
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "the server exited before answering; its log:" >&2
    cat "$work_dir/server.log" >&2
    exit 1
  fi
  sleep 0.1
done

status=0
BASE_URL="http://127.0.0.1:$port" TWOFOLD_METERING_TOKEN="$metering_token" \
  npx playwright test "$@" || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- server log (last 50 lines) ---" >&2
  tail -n 50 "$work_dir/server.log" >&2
fi
exit "$status"
