#!/usr/bin/env bash
# LibreOffice Writer (headless) for the results report's PDF, and the CJK fonts it lays the
# text out with (Debian's packages). Without it the build still writes the ODT and says why
# there is no PDF, and the PDF tests are skipped with that reason.
set -uo pipefail
if command -v soffice >/dev/null 2>&1 || command -v libreoffice >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "安裝 LibreOffice Writer（成果報告 PDF 用）…"
  apt-get update -qq
  # The -nogui build has no X11/GTK dependencies; older releases only have the full one.
  pkg=libreoffice-writer-nogui
  if ! apt-cache policy "$pkg" 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    pkg=libreoffice-writer
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "$pkg" fonts-noto-cjk </dev/null >/dev/null \
    || echo "未能安裝 LibreOffice：將不產製 PDF，PDF 測試將略過。" >&2
else
  echo "未安裝 LibreOffice：將不產製 PDF，PDF 測試將略過" \
       "（安裝：sudo apt-get install libreoffice-writer-nogui fonts-noto-cjk）。" >&2
fi
exit 0
