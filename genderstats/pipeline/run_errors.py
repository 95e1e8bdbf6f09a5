"""What a failed run says, in public: the Chinese message, the cell it names, and what of
the notebook may be published. Details (tracebacks, English text) go to the staff log only.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from genderstats.pipeline.kernel_output import OUTPUT_LIMIT

# A kernel that died before any cell ran (so no cell can be named).
KERNEL_DIED = ("核心在執行任何一格之前就異常結束（可能是記憶體不足）；請重新執行 build，"
               "仍失敗時請通知系統管理者。")
NOT_FINISHED = ("{cell}之後的格沒有執行：筆記本的程式在這一格結束了執行或核心（例如 sys.exit、"
                "os._exit），或核心因記憶體不足而結束；請檢查這一格。")
FLOODED = ("{cell}的輸出超過上限 {limit} MB，已停止這份報告；請減少 print 的內容。")
PROGRAM_FAULT = "程式執行錯誤（細節記在承辦人的紀錄檔）"
# A worker that ended without a result: its notebook may have killed it (os.kill of its parent).
WORKER_DIED = ("執行這份報告的程序異常結束（筆記本的程式可能結束了它，或記憶體不足），"
               "沒有產生結果；請檢查筆記本中結束程序的指令。")



INPUT_ERRORS = frozenset({"DataError"})
"""What a notebook raises when the year's data is wrong (the build then exits 2)."""


def stopped_on_input(nb: Any) -> bool:
    """Whether an executed notebook stopped on an error of the year's data."""
    return any(out.get("output_type") == "error" and out.get("ename") in INPUT_ERRORS
               for cell in (nb.cells if nb is not None else []) for out in cell.get("outputs", []))


# Errors whose message is written for the person who prepares the data (in Chinese).
USER_ERRORS = {"DataError", "ValueError", "RegistryError", "FileNotFoundError"}


# A message written for people is Chinese, with its full-width punctuation; a library's
# ValueError ("could not convert string to float: '男'") is not.
_CJK = re.compile(r"[\u3400-\u9fff]")
_FULL_WIDTH = re.compile(r"[。，、；：「」（）？！]")


def explained(ename: str, evalue: str) -> str:
    """The message alone for the project's own errors; other exceptions are program faults,
    whose name and (English) text go only to the staff log."""
    evalue = evalue.strip()
    if ename in USER_ERRORS and _CJK.search(evalue) and _FULL_WIDTH.search(evalue):
        return evalue
    return PROGRAM_FAULT


def clean_exit(out: Any) -> bool:
    """papermill's reading of ``sys.exit(0)``: not an error (the run simply stops)."""
    return out.get("ename") == "SystemExit" and str(out.get("evalue") or "") in ("", "0")


def error_text(nb: Any, exc: BaseException, cell: int | None = None) -> str:
    """The public message of a failed run, naming the cell (``cell``: the one that ran last,
    an index of ``nb``); the exception raised in the notebook, not papermill's."""
    for index, node in enumerate(nb.cells if nb is not None else []):
        for out in node.get("outputs", []):
            if out.get("ename") == "OutputLimitError":
                return FLOODED.format(cell=cell_place(nb, index), limit=OUTPUT_LIMIT >> 20)
            if out.get("output_type") == "error" and not clean_exit(out):
                said = explained(str(out.get("ename")), str(out.get("evalue") or ""))
                return f"{cell_place(nb, index)}：{said}"
    name = type(exc).__name__
    if name == "DeadKernelError":
        return NOT_FINISHED.format(cell=cell_place(nb, cell)) if cell is not None else KERNEL_DIED
    if name == "NotebookValidationError" and cell is not None:
        # nbclient checks each output as it comes: the cell that was running sent it.
        return f"{cell_place(nb, cell)}的輸出不符合筆記本的格式：{PROGRAM_FAULT}"
    return explained(name, str(exc))


_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.+?)[ \t#]*$", re.M)
_TITLE_LENGTH = 40


def cell_place(nb: Any, index: int | None) -> str:
    """「第 3 格（委員組成）」: cell ``index`` of ``nb`` as the analyst finds it.

    Code cells are counted from 1 as the notebook shows them (papermill's injected parameters
    are not one of them). The title is the heading of the Markdown just above the cell, else
    the cell's first comment line, else the nearest heading further up.
    """
    number, near, above = 0, None, None
    for i, cell in enumerate(nb.cells if nb is not None else []):
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.get("cell_type") == "markdown" and "papermill-error-cell-tag" not in tags:
            headings = _HEADING.findall(str(cell.get("source", "")))
            if headings:
                near = above = headings[-1].strip()
            continue
        if cell.get("cell_type") != "code":
            continue
        if "injected-parameters" in tags:
            if i == index:
                return "reports.yml 給的參數"
            continue
        number += 1
        if i == index:
            title = near or _first_comment(str(cell.get("source", ""))) or above
            if title and len(title) > _TITLE_LENGTH:
                title = title[:_TITLE_LENGTH] + "…"
            return f"第 {number} 格（{title}）" if title else f"第 {number} 格"
        near = None
    return "筆記本"


def _first_comment(source: str) -> str | None:
    for line in source.splitlines():
        text = line.strip()
        if text.startswith("#") and not text.startswith("#!"):
            return text.lstrip("#").strip() or None
    return None


def unfinished_cell(nb: Any) -> int | None:
    """The first code cell that did not run to its end (papermill's record), if any."""
    for index, cell in enumerate(nb.cells if nb is not None else []):
        if cell.get("cell_type") != "code" or not str(cell.get("source", "")).strip():
            continue
        status = cell.get("metadata", {}).get("papermill", {}).get("status")
        if status != "completed" or cell.get("execution_count") is None:
            return index
    return None


def public_failed_notebook(nb: Any, failed: int | None) -> Any:
    """What a failed run may publish of its notebook: the Markdown and the charts and tables of
    the cells before ``failed`` (an index of ``nb``); no code, no error, no printed text, no
    papermill banner or metadata (the notebook's holds the parameters' paths)."""
    nb = copy.deepcopy(nb)
    end = len(nb.cells) if failed is None else failed + 1
    kept = []
    for index, cell in enumerate(nb.cells[:end]):
        tags = cell.get("metadata", {}).get("tags", [])
        if "papermill-error-cell-tag" in tags:
            continue
        cell["metadata"] = {"tags": tags} if tags else {}  # papermill's times and flags
        if cell.get("cell_type") == "code":
            cell["source"] = ""
            cell["outputs"] = [] if index >= end - 1 and failed is not None else [
                o for o in cell.get("outputs", [])
                if o.get("output_type") in ("display_data", "execute_result")]
        kept.append(cell)
    nb.cells = kept
    nb.metadata.pop("papermill", None)
    return nb
