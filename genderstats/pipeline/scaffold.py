"""``genderstats new``: a new analysis notebook from a template, added to the registry as a
draft; and what makes a report a draft (:func:`draft_reason`), the one rule the build, the
index and the results report follow."""

from __future__ import annotations

import ast
import functools
import json
import re
from pathlib import Path
from typing import Any

from genderstats import config
from genderstats.pipeline.publish import write_atomic
from genderstats.pipeline.registry import ID_PATTERN, RegistryError, Report, load_registry

TEMPLATE = config.TEMPLATES_DIR / "scaffold" / "template.ipynb"
DRAFT_LINE = ("reports.yml 中標為 draft: true：build 不產製它（加上 --drafts 可試產製）；"
              "要發布時，刪除 draft 這一行。")
"""Why a report marked ``draft: true`` is a draft (the staff page says so)."""
EARLIER_SENTENCES = (
    "這本筆記本由 `genderstats new` 建立。",
    "依序修改：參數（要分析哪一種資料、依哪一欄分組）、說明文字與建議。",
    "表格、圖表與分析文字都由 `genderstats` 套件產生，所有報告因此採用同一套四捨五入、"
    "三分之一原則與隱私規則。",
)
"""The sentences of the template's earlier wording: notebooks made from it are drafts too."""
# A sentence ends at 。 unless a closing bracket follows (a placeholder stays whole).
_SENTENCE_END = re.compile(r"(?<=。)(?!）)")
_SPACE = re.compile(r"\s+")


def _cells(notebook: Path) -> list[dict[str, Any]]:
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    return [c for c in nb["cells"] if isinstance(c, dict)]


@functools.cache
def template_sentences() -> tuple[str, ...]:
    """Every sentence of the template's Markdown (headings aside), and of its earlier wording:
    the text an analyst replaces, so a notebook still holding any of it (white space aside) is
    a draft."""
    sentences = []
    for cell in _cells(TEMPLATE):
        if cell["cell_type"] == "markdown":
            for line in "".join(cell["source"]).splitlines():
                if not line.lstrip().startswith("#"):
                    sentences += [s.strip() for s in _SENTENCE_END.split(line)]
    return (*(s for s in sentences if s), *EARLIER_SENTENCES)


@functools.cache
def example_dataset() -> Any:
    """The template's example data, its ``dataset`` parameter: a report that still reads it
    (and does not choose it in reports.yml) is a draft."""
    return _default(_cells(TEMPLATE), "dataset")


def _default(cells: list[dict[str, Any]], name: str) -> Any:
    """The constant the ``parameters`` cell gives ``name`` (None when it gives none)."""
    for cell in cells:
        if "parameters" not in (cell.get("metadata") or {}).get("tags", []):
            continue
        try:
            tree = ast.parse("".join(cell.get("source") or ""))
        except SyntaxError:
            return None
        for node in tree.body:
            target = (node.targets[-1] if isinstance(node, ast.Assign)
                      else node.target if isinstance(node, ast.AnnAssign) else None)
            if (isinstance(target, ast.Name) and target.id == name
                    and isinstance(node.value, ast.Constant)):
                return node.value.value
    return None


def unfinished(report: Report) -> str | None:
    """Why ``report``, published in reports.yml, must not run: its notebook still holds the
    template's sentences or reads its example data. None for a finished report."""
    try:
        cells = _cells(report.notebook)
        text = _SPACE.sub("", "".join("".join(c.get("source") or "") for c in cells
                                      if c.get("cell_type") == "markdown"))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # the run itself reports an unreadable notebook
    left = [s for s in template_sentences() if _SPACE.sub("", s) in text]
    example = example_dataset()
    why, fix = [], []
    if left:
        why.append(f"仍有範本的文字「{left[0]}」" + (f"等 {len(left)} 句" if len(left) > 1 else ""))
        fix.append("改寫或刪除範本的文字")
    if "dataset" not in report.parameters and _default(cells, "dataset") == example:
        why.append(f"參數 dataset 仍是範本的範例資料「{example}」")
        fix.append("在參數格的 dataset 選定這份報告的資料（檔名見 data/README.md）")
    if not why:
        return None
    return (f"筆記本 {report.notebook.name} 仍是 genderstats new 建立的草稿，不能發布給委員："
            f"{'；'.join(why)}。請{'，並'.join(fix)}；"
            "仍在撰寫中的報告，請在 reports.yml 加上 draft: true。")


def draft_reason(report: Report) -> str | None:
    """Why ``report`` is a draft, listed on the staff page only and never on the committee's
    pages (index, results report, tables): ``draft: true``, or the template left in it."""
    return DRAFT_LINE if report.draft else unfinished(report)


def committee_reports(reports: list[Report]) -> list[Report]:
    """The reports the committee's pages may list: every one that is no draft."""
    return [r for r in reports if draft_reason(r) is None]


def _yaml_str(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid YAML scalar


def new_analysis(report_id: str, title: str, *, source: str | None = None,
                 registry: Path | None = None) -> Path:
    """Create ``notebooks/<id>.ipynb`` and append the report to ``reports.yml``.

    ``source`` names an existing notebook (``committee_composition``) to start from instead of
    the template; its outputs are cleared. Nothing is written if any check fails.
    """
    registry = Path(registry) if registry else config.REGISTRY_FILE
    if not ID_PATTERN.match(report_id):
        raise RegistryError(
            f"id「{report_id}」只能用小寫英文字母、數字與連字號（如 hackathon-participants）。")
    if not title.strip():
        raise RegistryError("請用 --title 給報告一個中文標題。")
    existing = load_registry(registry)
    if report_id in {r.id for r in existing}:
        raise RegistryError(f"id「{report_id}」已在 {registry} 中；請換一個 id。")
    notebook = registry.parent / f"{report_id.replace('-', '_')}.ipynb"
    if notebook.exists():
        raise RegistryError(f"{notebook} 已存在；請換一個 id，或直接編輯該筆記本。")
    if source:
        src = registry.parent / (source if source.endswith(".ipynb") else f"{source}.ipynb")
        if not src.is_file():
            names = ", ".join(sorted(p.stem for p in registry.parent.glob("*.ipynb")))
            raise RegistryError(f"找不到範本筆記本 {src.name}；可用的有：{names}。")
    else:
        src = TEMPLATE
    nb = json.loads(src.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
        if not source and cell["cell_type"] == "code":
            # The title must stay a valid string literal, whatever it contains. The page
            # prints it as its heading: the notebook's Markdown does not repeat it.
            text = "".join(cell["source"])
            text = text.replace('"{{TITLE}}"', json.dumps(title, ensure_ascii=False))
            cell["source"] = text.splitlines(keepends=True)
    body = registry.read_text(encoding="utf-8")
    # The figures the template records, for the results report's prose ({id.men}).
    entry = (f"\n  - id: {report_id}\n    title: {_yaml_str(title)}\n"
             f"    notebook: {notebook.name}\n"
             "    draft: true  # 草稿：build 不產製它；要發布時刪除這一行\n"
             "    figures:\n"
             f"      men: {_yaml_str(title + '：男性人數')}\n"
             f"      women: {_yaml_str(title + '：女性人數')}\n")
    write_atomic(notebook, json.dumps(nb, ensure_ascii=False, indent=1) + "\n")
    try:
        write_atomic(registry, re.sub(r"\n*\Z", "\n", body) + entry)
    except BaseException:
        notebook.unlink(missing_ok=True)
        raise
    return notebook
