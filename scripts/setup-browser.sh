#!/usr/bin/env bash
# What the tests look at pages and the PDF with, as a person would (Debian's packages; no
# browser download is needed): headless Chromium, and poppler's pdftoppm/pdftotext.
set -uo pipefail
bin=${1:-.venv/bin}
missing=()
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
  || missing+=(chromium)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "安裝 ${missing[*]}（瀏覽器與 PDF 版面測試用）…"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" \
      >/dev/null || echo "未能安裝 ${missing[*]}：相關測試將略過。" >&2
else
  echo "未安裝 ${missing[*]}：相關測試將略過（安裝：sudo apt-get install ${missing[*]}）。" >&2
fi
exit 0
