#!/usr/bin/env bash
# Installs the outside tools that some tests compare against (tshark) when we are
# allowed to (root with apt-get, as in CI). Elsewhere it only says what is missing;
# the tests that need a tool skip with that reason.
set -u
want=()
command -v tshark >/dev/null 2>&1 || want+=(tshark)
[ ${#want[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  echo "installing ${want[*]} (apt-get)"
  apt-get update -qq >/dev/null 2>&1 || true
  apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null 2>&1 \
    || echo "could not install ${want[*]}; tests needing them will skip"
else
  echo "optional tools not installed: ${want[*]} (tests needing them will skip)"
fi
exit 0
