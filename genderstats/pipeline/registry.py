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
# The dataset stems of genderstats.data.DATASETS, repeated here because importing the data
# package loads pandas (about a second) and a build with nothing to do must stay instant;
# tests/test_registry.py keeps the two lists equal. results_report and recommendations are
# the analyst's texts (data/<year>/*.yml), the inputs that are not tables.
DATASET_NAMES = (
    "committee_members", "task_force_meetings", "onsite_engineers", "training_classes",
    "training_participations", "staff_training", "contact_training", "training_courses",
    "gender_budget", "resolutions", "gender_statistics", "impact_assessments",
    "course_evaluations", "results_report", "recommendations",
)


class RegistryError(ValueError):
    """The registry file is missing or malformed; the message says where and how to fix it."""


@dataclass(frozen=True)
class Report:
    """One report of the registry."""

    id: str
    title: str
    notebook: Path
    parameters: dict[str, Any] = field(default_factory=dict)
    requires: tuple[str, ...] = ()
    """Datasets without which the report cannot be built."""
    optional: tuple[str, ...] = ()
    """Datasets whose absence makes sections say 無資料 instead of failing."""
    declared: bool = False
    """Whether reports.yml says what the report needs (scaffolded reports may not)."""
    timeout: float | None = None
    """Seconds the report may run; None leaves it to the build's default."""
    draft: bool = False
    """A report being written (``draft: true``): the build skips it unless asked."""
    unit: str = ""
    """辦理科室: the unit that owns the report (the results report's 四 lists it)."""
    figures: dict[str, str] = field(default_factory=dict)
    """The named figures the report's notebook records (``record_figures``), each with what
    it means: the results report's prose reads them as ``{id.name}``."""
    starts_early: bool = False
    """A report given the others' status (``report_status``) whose notebook reads it with
    ``report_status.load_status``, which waits: it may start with the others instead of after."""

    @property
    def subject(self) -> str:
        """The committee the report is on (its ``committee`` parameter), or ""."""
        value = self.parameters.get("committee")
        return value if isinstance(value, str) else ""

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
        # libyaml's loader where PyYAML has it: the same documents, five times faster.
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or {}
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
        requires = _datasets(entry, "requires", f"{where}（{rid}）")
        optional = _datasets(entry, "optional", f"{where}（{rid}）")
        both = sorted(set(requires) & set(optional))
        if both:
            raise RegistryError(
                f"{where}（{rid}）：{'、'.join(both)} 不可同時列在 requires 與 optional。"
            )
        reports.append(Report(
            rid, str(entry["title"]), notebook, dict(params),
            requires=requires, optional=optional,
            declared="requires" in entry or "optional" in entry,
            timeout=_timeout(entry, f"{where}（{rid}）"),
            draft=_draft(entry, f"{where}（{rid}）"),
            unit=_unit(entry, f"{where}（{rid}）"),
            figures=_figures(entry, f"{where}（{rid}）"),
            starts_early=_flag(entry, "starts_early", f"{where}（{rid}）",
                               "只有以 genderstats.report_status.load_status 讀取報告狀態的"
                               "筆記本才可設為 true"),
        ))
    return reports


def _datasets(entry: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    """The dataset names listed under ``key`` (requires/optional), checked against data specs."""
    value = entry.get(key)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RegistryError(f"{where}：{key} 應為資料集名稱的清單，如 [committee_members]。")
    unknown = [v for v in value if v not in DATASET_NAMES]
    if unknown:
        raise RegistryError(
            f"{where}：{key} 中的「{'、'.join(unknown)}」不是已知的資料集。"
            f"可用的名稱：{'、'.join(DATASET_NAMES)}。"
        )
    return tuple(dict.fromkeys(value))


def _unit(entry: dict[str, Any], where: str) -> str:
    """The optional ``unit:`` (辦理科室): a unit's name."""
    value = entry.get("unit", "")
    if value is None or not isinstance(value, str):
        raise RegistryError(f"{where}：unit「{value}」應為科室名稱，如 unit: 數位策略中心。")
    return value.strip()


def _figures(entry: dict[str, Any], where: str) -> dict[str, str]:
    """The optional ``figures:``: 名稱: 意義, each name as a report id is written."""
    value = entry.get("figures") or {}
    if not isinstance(value, dict):
        raise RegistryError(f"{where}：figures 應為「數字名稱: 意義」的對應表，"
                            "如 figures: {classes: 本年度開班數}。")
    out: dict[str, str] = {}
    for name, meaning in value.items():
        if not isinstance(name, str) or not ID_PATTERN.match(name):
            raise RegistryError(f"{where}：figures 的名稱「{name}」只能用小寫英文字母、數字與"
                                "連字號（如 men-share）。")
        if not isinstance(meaning, str) or not meaning.strip():
            raise RegistryError(f"{where}：figures 的「{name}」要寫出它的意義，"
                                "如 men: 男性委員人數（如 8）。")
        out[name] = meaning.strip()
    return out


def figure_catalog(reports: list[Report]) -> dict[str, str]:
    """Every figure the reports offer to the results report's prose: ``{id.name: 意義}``."""
    return {f"{r.id}.{name}": meaning for r in reports if not r.draft
            for name, meaning in r.figures.items()}


def _draft(entry: dict[str, Any], where: str) -> bool:
    """The optional ``draft:`` flag: true or false."""
    value = entry.get("draft", False)
    if not isinstance(value, bool):
        raise RegistryError(
            f"{where}：draft「{value}」應為 true 或 false；要發布這份報告時，刪除 draft 這一行。")
    return value


def _flag(entry: dict[str, Any], key: str, where: str, hint: str) -> bool:
    """An optional true/false key."""
    value = entry.get(key, False)
    if not isinstance(value, bool):
        raise RegistryError(f"{where}：{key}「{value}」應為 true 或 false；{hint}。")
    return value


def _timeout(entry: dict[str, Any], where: str) -> float | None:
    """The optional ``timeout:`` in seconds: a positive number."""
    value = entry.get("timeout")
    if value is None:
        return None
    # bool is an int subclass: 「timeout: yes」 is not a number of seconds.
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0 \
            or value != value or value == float("inf"):
        raise RegistryError(
            f"{where}：timeout「{value}」不是有效的秒數。請填大於 0 的數字，如 timeout: 600。"
        )
    return float(value)


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
