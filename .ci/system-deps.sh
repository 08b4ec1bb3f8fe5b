#!/usr/bin/env bash
# Installs the outside tools that some tests use when we are allowed to: tshark and
# Debian's chromium (the hub's browser test) with apt-get where we are root (as in CI),
# and configurable-http-proxy (the hub's proxy) from npm into build/node, which needs no
# root. Elsewhere it only says what is missing; the tests that need a tool skip with that
# reason.
set -u
want=()
command -v tshark >/dev/null 2>&1 || want+=(tshark)
[ -x /usr/bin/chromium ] || want+=(chromium)
if [ ${#want[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    echo "installing ${want[*]} (apt-get)"
    apt-get update -qq >/dev/null 2>&1 || true
    apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null 2>&1 \
      || echo "could not install ${want[*]}; tests needing them will skip"
  else
    echo "optional tools not installed: ${want[*]} (tests needing them will skip)"
  fi
fi
chp=build/node/node_modules/.bin/configurable-http-proxy
if ! command -v configurable-http-proxy >/dev/null 2>&1 && [ ! -x "$chp" ]; then
  if command -v npm >/dev/null 2>&1; then
    echo "installing configurable-http-proxy (npm, into build/node)"
    npm install --prefix build/node --no-audit --no-fund --loglevel=error \
      configurable-http-proxy@5.3.0 >/dev/null 2>&1 \
      || echo "could not install configurable-http-proxy; the hub tests will skip"
  else
    echo "npm not found: configurable-http-proxy missing (the hub tests will skip)"
  fi
fi
exit 0
