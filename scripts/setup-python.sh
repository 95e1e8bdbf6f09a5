#!/usr/bin/env bash
# Create the project's virtual environment with Python 3.11 or newer.
set -euo pipefail
python=${1:-python3}
venv=${2:-.venv}
if [ -z "$python" ] || ! command -v "$python" >/dev/null 2>&1; then
  echo "找不到 python3：請先安裝 Python 3.11（Debian/Ubuntu：sudo apt-get install python3 python3-venv）。" >&2
  exit 1
fi
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "需要 Python 3.11 以上，$python 是 $("$python" --version 2>&1)。可用 PYTHON=python3.11 make … 指定。" >&2
  exit 1
fi
if [ -x "$venv/bin/python" ]; then exit 0; fi
if ! "$python" -m venv "$venv" 2>/dev/null; then
  rm -rf "$venv"
  # Debian/Ubuntu ship venv separately.
  pkg="python$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')-venv"
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg"
    "$python" -m venv "$venv"
  else
    echo "無法建立虛擬環境：請先執行 sudo apt-get install $pkg，再重新執行 make。" >&2
    exit 1
  fi
fi
