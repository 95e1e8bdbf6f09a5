"""``genderstats new-year``: a year folder ready to fill, in the order the form asks.

The folder gets an Excel template of every dataset the registry's reports read
(:mod:`genderstats.data.templates`), last year's two text files carried over with the year
as a placeholder and every prose block marked 「# 請檢查」, and a checklist README.md.
Nothing that exists is overwritten.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from genderstats import config
from genderstats.data import recommendations, results_text
from genderstats.data.errors import DataError
from genderstats.data.specs import DATASETS
from genderstats.data.templates import EXAMPLE_MARK
from genderstats.pipeline.registry import Report, load_registry

RESULTS = results_text.STEM
TEXT_FILES = {RESULTS: results_text.TITLE, recommendations.STEM: recommendations.TITLE}
"""The two text files carried over, with their titles."""
README = "README.md"
REVIEW = "# 請檢查："

FORM_PARTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("一、本年度機關推動性別平等之特色或亮點", ("results_report.yml「組別」「特色或亮點」",)),
    ("二、性別平等專案小組", ("committee_members", "task_force_meetings", "resolutions")),
    ("性別意識培力", ("staff_training", "contact_training", "training_courses",
                      "course_evaluations")),
    ("三、性別統計", ("gender_statistics",)),
    ("四、性別分析", ("results_report.yml「性別分析」", "onsite_engineers", "training_classes",
                     "training_participations")),
    ("五、性別影響評估", ("impact_assessments",)),
    ("六、性別預算", ("gender_budget",)),
    ("七、推展性別平等工作策略及具體措施", ("results_report.yml「策略及具體措施」",)),
    ("八、其他相關成果；九、未來推展性別主流化之重點項目",
     ("results_report.yml「其他相關成果」「未來重點」",)),
    ("各分析的建議事項", ("recommendations.yml",)),
)
"""The results report's parts in the form's order, with what the contact person fills for
each: a dataset stem, or a text file's keys. Datasets no part names come last."""


@dataclass
class NewYear:
    """What ``new_year`` did: files created and files kept (names in the year folder)."""

    folder: Path
    created: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    not_copied: list[str] = field(default_factory=list)
    """Why last year's text files could not be carried over (the data folder's messages)."""


def needed_datasets(reports: list[Report]) -> list[str]:
    """The dataset stems the reports require or may use, in the data contract's order."""
    named = {d for r in reports for d in (*r.requires, *r.optional)}
    return [stem for stem in DATASETS if stem in named]


def new_year(year: int, data_dir: Path, registry: Path | None = None) -> NewYear:
    """Create ``<data_dir>/<year>/`` with templates, carried-over texts and the checklist."""
    from genderstats.data.templates import write_template

    reports = load_registry(registry)
    stems = needed_datasets(reports)
    folder = data_dir / str(year)
    folder.mkdir(parents=True, exist_ok=True)
    done = NewYear(folder)
    for stem in stems:
        existing = _existing(folder, stem, (".csv", ".xlsx", ".ods"))
        if existing is not None:
            done.kept.append(existing.name)
            continue
        write_template(DATASETS[stem], year, folder / f"{stem}.xlsx")
        done.created.append(f"{stem}.xlsx")
    wanted_texts = [s for s in TEXT_FILES
                    if s != RESULTS or any(RESULTS in (*r.requires, *r.optional)
                                           for r in reports)]
    for stem in wanted_texts:
        existing = _existing(folder, stem, (".yml", ".yaml"))
        if existing is not None:
            done.kept.append(existing.name)
            continue
        try:
            text = _last_years(stem, year - 1, data_dir)
        except DataError as err:
            done.not_copied.extend(str(p) for p in err.problems)
            continue
        if text is None:
            continue
        (folder / f"{stem}.yml").write_text(carry_over(text, year - 1, year), encoding="utf-8")
        done.created.append(f"{stem}.yml")
    readme = folder / README
    if readme.is_symlink() or readme.exists():
        done.kept.append(README)
    else:
        readme.write_text(checklist(year, stems, done, data_dir), encoding="utf-8")
        done.created.append(README)
    return done


def _last_years(stem: str, year: int, data_dir: Path) -> str | None:
    """The text of last year's ``stem``.yml, read under the data folder's rules (regular files
    inside it, size capped, UTF-8); None when there is none."""
    from genderstats.data.folders import display_path, year_folder_problem
    from genderstats.data.yamlfile import find_text_file, read_text_file

    folder = data_dir / str(year)
    refused = year_folder_problem(folder, data_dir)
    if refused is not None:
        raise DataError([refused])
    path = find_text_file(folder, data_dir, stem, TEXT_FILES[stem])
    return None if path is None else read_text_file(path, display_path(path, data_dir))


def _existing(folder: Path, stem: str, suffixes: tuple[str, ...]) -> Path | None:
    """A file of ``folder`` already holding ``stem`` (any of ``suffixes``, any case)."""
    if not folder.is_dir():
        return None
    for path in sorted(folder.iterdir()):
        if path.stem.casefold() == stem and path.suffix.lower() in suffixes:
            return path
    return None


# ── last year's texts ────────────────────────────────────────────────────────────────────

NOT_PROSE = frozenset({"組別", "報告", "類別", "項次", "表", "圖", "照片"})
"""Keys of results_report.yml whose values are the form's own labels or references."""
_APPROVAL = re.compile(r"^核定:.*\n?", re.MULTILINE)
"""results_report.yml's 核定: last year's approval is never the new year's."""
_LINE = re.compile(
    r"^(?P<indent> *)(?P<dash>- +)?"
    r"(?:(?P<key>[^#:\s\-][^:]*?):(?: +(?P<value>\S.*?))?|(?P<item>[^#\s].*?))\s*$")
_BLOCK = re.compile(r"^[|>][-+0-9]*\s*(?:#.*)?$")
_FIGURE = re.compile(r"(?<![\d{.])\d[\d,.]*\s*(?:人次|人|班|%|％|位|件|場|小時|元|萬元|項|次|篇)")


def carry_over(text: str, old: int, new: int) -> str:
    """Last year's YAML text for the ``new`` year: the year ``old`` written as {year}, every
    prose block under a 「# 請檢查：」 comment saying what to check, last year's 核定 left
    out; comments and layout kept.

    When the result would not read as the same structure, the text is kept as it was and
    only the header says to check it all.
    """
    import yaml

    header = (f"# 這個檔案由 {old} 年的檔案複製而來（genderstats new-year {new}）。\n"
              f"# 標有「{REVIEW}」的段落請逐一改寫成 {new} 年的內容，改好後刪除那一行註解。\n")
    text = _APPROVAL.sub("", text)  # validate reminds to write the new one once approved
    carried = "".join(_carry_units(text.splitlines(keepends=True), old))
    try:
        same = _shape(yaml.safe_load(carried)) == _shape(yaml.safe_load(text))
    except yaml.YAMLError:
        same = False
    if not same:
        return header + f"# 請檢查：全部內容都是 {old} 年的，請逐段改寫。\n" + text
    return header + carried


def _shape(doc: object) -> object:
    """The document's keys and nesting, without its texts."""
    if isinstance(doc, dict):
        return {k: _shape(v) for k, v in doc.items()}
    if isinstance(doc, list):
        return [_shape(v) for v in doc]
    return None


def _carry_units(lines: list[str], old: int) -> list[str]:
    """Lines with the review comments inserted and the year replaced in prose."""
    out: list[str] = []
    i = 0
    in_list_at: int | None = None
    while i < len(lines):
        line = lines[i]
        m = _LINE.match(line.rstrip("\n"))
        if m is None:
            out.append(line)
            in_list_at = None if line.strip() else in_list_at
            i += 1
            continue
        column = len(m["indent"]) + len(m["dash"] or "")
        value = m["value"] if m["key"] is not None else m["item"]
        body: list[str] = []
        j = i + 1
        if value is not None and _BLOCK.match(value):
            while j < len(lines) and (not lines[j].strip()
                                      or len(lines[j]) - len(lines[j].lstrip(" ")) > column):
                body.append(lines[j])
                j += 1
            while body and not body[-1].strip():  # blank lines after a block stay outside
                body.pop()
                j -= 1
        prose = _is_prose(m)
        first_of_list = m["item"] is not None and in_list_at != len(m["indent"])
        in_list_at = len(m["indent"]) if m["item"] is not None else None
        if not prose:
            if m["key"] == "會議" and value:
                out.append(f"{' ' * column}{REVIEW}「{value}」是 {old} 年的會議代碼："
                           "請改成今年提報的會議（task_force_meetings 的「會議」欄）。\n")
            out.append(line)
            out.extend(body)
            i = j
            continue
        head = _replace_year(line, old, quote=True)
        new_body = [_replace_year(b, old) for b in body]
        block = [line, *body]
        if first_of_list:  # one comment for the whole list: about all of its items
            block += _siblings(lines, j, len(m["indent"]))
        years = len(_old_year(old).findall("".join(block)))
        notes = _notes(old, years, block)
        if m["item"] is None or first_of_list:
            out.append(f"{m['indent']}{REVIEW}{notes}\n")
        out.append(head)
        out.extend(new_body)
        i = j
    return out


def _siblings(lines: list[str], start: int, indent: int) -> list[str]:
    """The plain items following ``lines[start - 1]`` in the same list."""
    found: list[str] = []
    for line in lines[start:]:
        m = _LINE.match(line.rstrip("\n"))
        if m is None or m["item"] is None or len(m["indent"]) != indent:
            break
        found.append(line)
    return found


def _is_prose(m: re.Match[str]) -> bool:
    if m["item"] is not None:
        return True
    return m["key"] not in NOT_PROSE and m["value"] is not None and m["key"] != "會議"


def _old_year(old: int) -> re.Pattern[str]:
    """「112年」, 「112 年度」; not 「111-112年」 or a number that merely ends in 112."""
    return re.compile(rf"(?<![\d\-~～－{{]){old}(?=\s*年)")


def _replace_year(line: str, old: int, quote: bool = False) -> str:
    """``line`` with 「112年」 as 「{year}年」. ``quote``: the line may be a plain
    ``key: value`` or ``- item`` whose value must then be quoted if it starts with {."""
    new, count = _old_year(old).subn("{year}", line)
    if not count or not quote:
        return new
    m = _LINE.match(new.rstrip("\n"))
    value = (m["value"] if m["key"] is not None else m["item"]) if m else None
    if value is not None and value.startswith("{"):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        start = new.index(value)
        new = f'{new[:start]}"{escaped}"{new[start + len(value):]}'
    return new


def _notes(old: int, years: int, lines: list[str]) -> str:
    """What the review comment says about a block."""
    parts = [f"這段是 {old} 年的文字，請改寫成今年的內容。"]
    if years:
        parts.append(f"文中的「{old}年」已改成 {{year}}（產製時寫出今年）；"
                     f"若指的是 {old} 年當年，請改回 {old}。")
    figures = list(dict.fromkeys(m.group() for line in lines for m in _FIGURE.finditer(line)))
    if figures:
        shown = "、".join(figures[:5]) + ("…" if len(figures) > 5 else "")
        parts.append(f"直接打字的數字（{shown}）請改成今年的數字，有佔位符的請改用佔位符"
                     "（見 data/README.md〈results_report.yml〉）。")
    return "".join(parts)


# ── the checklist ────────────────────────────────────────────────────────────────────────


def checklist(year: int, stems: list[str], done: NewYear, data_dir: Path) -> str:
    """README.md of the year folder: what to fill, part by part, then how to check."""
    present = set(stems)
    lines = [
        f"# {year} 年資料：要準備的檔案",
        "",
        "依成果報告表單的順序。每填好一項就在 [ ] 打勾（改成 [x]）。",
        "",
        "Excel 範本的第 1 列是標題列，不要修改；第 2 列是範例",
        f"（灰色斜體，開頭寫著「{EXAMPLE_MARK}」），開始填寫前請刪除。每欄的說明在標題的註解，與第二個工作表「說明」。",
        "這一年確實沒有的資料（例如沒有辦理）：保留標題列、不填資料列；",
        "沒有蒐集的資料：刪除那個檔案。",
        "",
    ]
    listed: set[str] = set()
    for part, items in FORM_PARTS:
        entries = []
        for item in items:
            if item in DATASETS:
                if item not in present:
                    continue
                spec = DATASETS[item]
                listed.add(item)
                entries.append(f"- [ ] `{item}.xlsx`（{spec.title}）：{spec.row}。")
            else:
                name, _, keys = item.partition("「")
                keys = f"「{keys}" if keys else ""
                if (data_dir / str(year) / name).exists():
                    entries.append(f"- [ ] `{name}`{keys}：逐段檢查標有「{REVIEW}」的段落。")
                else:
                    entries.append(f"- [ ] 建立 `{name}`{keys}（去年沒有這個檔案可以複製；"
                                   "格式見 data/README.md）。")
        if entries:
            lines += [f"## {part}", "", *entries, ""]
    rest = [s for s in stems if s not in listed]
    if rest:
        lines += ["## 其他資料", ""]
        lines += [f"- [ ] `{s}.xlsx`（{DATASETS[s].title}）：{DATASETS[s].row}。" for s in rest]
        lines.append("")
    option = _data_dir_option(data_dir)
    lines += [
        "## 填好之後",
        "",
        "在專案資料夾執行（不必填完才檢查，可以隨時執行）：",
        "",
        "```",
        f".venv/bin/genderstats validate --year {year}{option}",
        "```",
        "",
        "依訊息修正到沒有問題後，產製報告：",
        "",
        "```",
        f".venv/bin/genderstats build --year {year}{option}",
        "```",
        "",
        "完整步驟見 docs/contact-person.md。",
        "",
    ]
    if done.kept:
        lines += ["（建立這個清單時已經存在、沒有更動的檔案："
                  + "、".join(done.kept) + "）", ""]
    return "\n".join(lines)


def _data_dir_option(data_dir: Path) -> str:
    """『 --data-dir X』 when ``data_dir`` is not the project's own data folder."""
    if Path(data_dir).resolve() == Path(config.DATA_DIR).resolve():
        return ""
    import shlex

    return f" --data-dir {shlex.quote(str(data_dir))}"


def summary(done: NewYear, year: int, data_dir: Path) -> str:
    """What ``genderstats new-year`` prints: each file created or kept, then the next step."""
    from genderstats.data.folders import display_path

    shown = display_path(done.folder, data_dir)
    lines = [f"{shown}/：建立 {len(done.created)} 個檔案，保留 {len(done.kept)} 個已有的檔案。"]
    lines += [f"  新建 {name}{_what(name)}" for name in done.created]
    lines += [f"  保留 {name}（已經存在，沒有更動）" for name in done.kept]
    lines += [f"  未複製去年的文字檔：{why}" for why in done.not_copied]
    lines += ["", f"下一步：依 {shown}/README.md 的清單在 Excel 填寫各檔，再執行",
              f"  .venv/bin/genderstats validate --year {year}{_data_dir_option(data_dir)}"]
    return "\n".join(lines)


def _what(name: str) -> str:
    stem = name.rsplit(".", 1)[0]
    if stem in DATASETS:
        return f"（{DATASETS[stem].title}範本）"
    if stem in TEXT_FILES:
        return f"（由去年的檔案複製，要改寫的段落標有「{REVIEW}」）"
    return "（要填的檔案清單）"
