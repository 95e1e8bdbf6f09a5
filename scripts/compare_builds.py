"""Compare two build outputs of the same year, ignoring what changes from run to run.

    .venv/bin/python scripts/compare_builds.py outputs-before/112 outputs/112

Before and after a dependency upgrade or a restructuring, a forced build of the same data
must publish the same files. Time stamps (ISO and ROC, in pages, notebooks, the manifest
and the PDF's information), durations (papermill's, the manifest's and the staff page's
seconds) and the ids nbformat gives new cells are set aside; everything else is compared
byte for byte, PDFs by their pages' content. The state folder and the logs are not
compared. Prints each file that differs (or is in one folder only) and exits 1 if any.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
from pathlib import Path

SKIPPED = {".state", "logs"}
_ISO = re.compile(rb"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")
_ROC = re.compile(rb"\d{3}/\d{2}/\d{2} \d{2}:\d{2}")
_DURATION = re.compile(rb'("(duration|seconds|kernel_start|cells|kernel_stop|export)": )'
                       rb"[0-9.e-]+")
_STAFF_SECONDS = re.compile(rb'(<td class="gs-num">)\d+(\.\d+)?(</td>)')
_CELL_ID = re.compile(rb'("id": ")[0-9a-f]{8}(")')


def comparable(path: Path) -> bytes:
    """The file's bytes with what varies between identical builds set aside."""
    data = path.read_bytes()
    if path.suffix == ".pdf":
        return _pdf_content(data)
    data = _ISO.sub(b"<time>", data)
    data = _ROC.sub(b"<time>", data)
    data = _DURATION.sub(rb"\1<seconds>", data)
    if path.suffix == ".ipynb":
        data = _CELL_ID.sub(rb"\1<id>\2", data)
    if path.name == "staff.html":
        data = _STAFF_SECONDS.sub(rb"\1<seconds>\3", data)
    return data


def _pdf_content(data: bytes) -> bytes:
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        info = {str(k): str(v) for k, v in pdf.docinfo.items()
                if k not in ("/CreationDate", "/ModDate")}
        pages = [b"".join(c.read_bytes() for c in (
            page.obj.Contents if isinstance(page.obj.Contents, pikepdf.Array)
            else [page.obj.Contents])) for page in pdf.pages]
    return repr(sorted(info.items())).encode() + b"\0".join(pages)


def files(folder: Path) -> set[Path]:
    return {p.relative_to(folder) for p in folder.rglob("*")
            if p.is_file() and not SKIPPED & set(p.relative_to(folder).parts)}


def differences(before: Path, after: Path) -> list[str]:
    """One line per file that differs, or is in one folder only."""
    one, two = files(before), files(after)
    lines = [f"只在 {before}：{p}" for p in sorted(one - two)]
    lines += [f"只在 {after}：{p}" for p in sorted(two - one)]
    lines += [f"不同：{p}" for p in sorted(one & two)
              if comparable(before / p) != comparable(after / p)]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="比較同一年度的兩次產製結果（不計時間）。")
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    for folder in (args.before, args.after):
        if not folder.is_dir():
            print(f"找不到資料夾 {folder}。", file=sys.stderr)
            return 2
    lines = differences(args.before, args.after)
    compared = len(files(args.before) | files(args.after))
    for line in lines:
        print(line)
    print(f"比較了 {compared} 個檔案：" + ("除時間外完全相同。" if not lines
                                      else f"{len(lines)} 個不同。"))
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main())
