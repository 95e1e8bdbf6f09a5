"""``genderstats new``: a new analysis notebook from a template, added to the registry."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from genderstats import config
from genderstats.pipeline.publish import write_atomic
from genderstats.pipeline.registry import ID_PATTERN, RegistryError, load_registry

TEMPLATE = config.TEMPLATES_DIR / "scaffold" / "template.ipynb"
PLACEHOLDERS = ("（請在此寫下對委員的建議，委員會逐字閱讀。）",)
"""Template text an analyst must replace; a report still holding it is not published."""


def _yaml_str(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid YAML scalar


# Markdown would turn these into emphasis, links or code; a title is plain text.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~])")


def markdown_text(text: str) -> str:
    r"""``text`` as literal Markdown: markup escaped as HTML entities, Markdown syntax escaped.

    >>> markdown_text("<img src=x onerror=alert(1)>")
    '&lt;img src=x onerror=alert\\(1\\)&gt;'
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


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
        if not source:
            text = "".join(cell["source"])
            # In code the title must stay a valid string literal, whatever it contains; in
            # Markdown it must stay text (a title such as <img onerror=…> would run).
            if cell["cell_type"] == "code":
                text = text.replace('"{{TITLE}}"', json.dumps(title, ensure_ascii=False))
                text = text.replace("{{TITLE}}", title.replace("\n", " "))
            else:
                text = text.replace("{{TITLE}}", markdown_text(" ".join(title.split())))
            cell["source"] = text.splitlines(keepends=True)
    body = registry.read_text(encoding="utf-8")
    entry = (f"\n  - id: {report_id}\n    title: {_yaml_str(title)}\n"
             f"    notebook: {notebook.name}\n"
             "    draft: true  # 草稿：build 不產製它；要發布時刪除這一行\n")
    write_atomic(notebook, json.dumps(nb, ensure_ascii=False, indent=1) + "\n")
    try:
        write_atomic(registry, re.sub(r"\n*\Z", "\n", body) + entry)
    except BaseException:
        notebook.unlink(missing_ok=True)
        raise
    return notebook
