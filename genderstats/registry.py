"""The reports registry: one notebook plus parameters is one report (notebooks/reports.yml)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from genderstats import config

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Parameters every report receives from the build; notebooks must declare them.
BUILD_PARAMETERS = ("year", "data_dir")


class RegistryError(ValueError):
    """The registry file is missing or malformed; the message says where and how to fix it."""


@dataclass(frozen=True)
class Report:
    """One report of the registry."""

    id: str
    title: str
    notebook: Path
    parameters: dict[str, Any] = field(default_factory=dict)
    description: str = ""

    def build_parameters(self, year: int, data_dir: Path) -> dict[str, Any]:
        """The exact parameters the build passes to papermill for this report."""
        return {"year": year, "data_dir": str(data_dir), **self.parameters}


def load_registry(path: str | Path | None = None) -> list[Report]:
    """Read ``notebooks/reports.yml`` and check it (unique ids, notebooks exist)."""
    import yaml

    path = Path(path) if path is not None else config.REGISTRY_FILE
    if not path.is_file():
        raise RegistryError(f"找不到報告清單 {path}：請建立它（格式見 README〈報告清單〉）。")
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise RegistryError(f"{path} 不是有效的 YAML：{exc}") from None
    entries = doc.get("reports") if isinstance(doc, dict) else None
    if not isinstance(entries, list) or not entries:
        raise RegistryError(f"{path} 需要一個 reports: 清單，每項有 id、title、notebook。")
    reports: list[Report] = []
    seen: set[str] = set()
    for n, entry in enumerate(entries, start=1):
        where = f"{path} 第 {n} 份報告"
        if not isinstance(entry, dict):
            raise RegistryError(f"{where}：應為 id/title/notebook/parameters 的對應表。")
        missing = [k for k in ("id", "title", "notebook") if not entry.get(k)]
        if missing:
            raise RegistryError(f"{where}：缺少 {', '.join(missing)}。")
        rid = str(entry["id"])
        if not ID_PATTERN.match(rid):
            raise RegistryError(
                f"{where}：id「{rid}」只能用小寫英文字母、數字與連字號（如 digital-training）。"
            )
        if rid in seen:
            raise RegistryError(f"{where}：id「{rid}」重複。")
        seen.add(rid)
        notebook = (path.parent / str(entry["notebook"])).resolve()
        if not notebook.is_file():
            raise RegistryError(f"{where}（{rid}）：找不到筆記本 {notebook}。")
        params = entry.get("parameters") or {}
        if not isinstance(params, dict):
            raise RegistryError(f"{where}（{rid}）：parameters 應為「名稱: 值」的對應表。")
        reserved = sorted(set(params) & set(BUILD_PARAMETERS))
        if reserved:
            raise RegistryError(
                f"{where}（{rid}）：{', '.join(reserved)} 由 build 指定，請勿寫在 parameters。"
            )
        reports.append(
            Report(rid, str(entry["title"]), notebook, dict(params),
                   str(entry.get("description", "")))
        )
    return reports


def select(reports: list[Report], only: list[str] | None) -> list[Report]:
    """The reports named in ``only`` (all when empty); unknown ids are an error."""
    if not only:
        return reports
    known = {r.id for r in reports}
    unknown = [i for i in only if i not in known]
    if unknown:
        raise RegistryError(
            f"沒有這份報告：{', '.join(unknown)}。可用的 id：{', '.join(sorted(known))}。"
        )
    return [r for r in reports if r.id in set(only)]
