#!/usr/bin/env bash
# Headless Chromium for the browser tests (Debian's package; no browser download is needed).
set -uo pipefail
bin=${1:-.venv/bin}
if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "安裝 Chromium（瀏覽器測試用）…"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
    || echo "未能安裝 Chromium：瀏覽器測試將略過。" >&2
else
  echo "未安裝 Chromium：瀏覽器測試將略過（安裝：sudo apt-get install chromium）。" >&2
fi
exit 0
