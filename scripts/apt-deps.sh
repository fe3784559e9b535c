#!/usr/bin/env bash
# System packages the tests need (Chromium for browser tests). Best effort: without root or
# network the browser tests skip with a reason instead of failing.
set -u
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  apt-get update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null 2>&1 \
    || echo "apt-deps: could not install ${need[*]}; browser tests will be skipped"
else
  echo "apt-deps: not root; install ${need[*]} yourself for the browser tests"
fi
exit 0
