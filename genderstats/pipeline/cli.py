"""The ``genderstats`` command: build, validate, list, new, new-year, fonts.

Exit codes: 0 everything succeeded; 1 a report failed; 2 bad input or usage (invalid data,
including every failed report having failed on the year's data or on required files
missing; unknown year or report id; a bad option); 3 another build holds the output folder;
4 the output folder cannot be written (permissions, read-only, disk full); 128 + N stopped
by signal N.

Over 500 lines because every command's Chinese help, options and messages are here, and
only here: each command's work is one call into the package.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shlex
import sys
from pathlib import Path
from typing import Any, NoReturn

from genderstats import __version__, config

EXIT_OK, EXIT_FAILED, EXIT_INPUT, EXIT_LOCKED, EXIT_ENVIRONMENT = 0, 1, 2, 3, 4


def _latest_year(data_dir: Path) -> int | None:
    years = [int(p.name) for p in data_dir.glob("*") if p.is_dir() and p.name.isdigit()]
    return max(years) if years else None


def _year(args: argparse.Namespace) -> int:
    from genderstats.years import roc_year

    if args.year is not None:
        return roc_year(args.year)
    latest = _latest_year(Path(args.data_dir))
    if latest is None:
        raise ValueError(f"{args.data_dir} 沒有年度資料夾（如 data/112/）；請用 --year 指定。")
    return latest


def _timeout(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0:
        raise argparse.ArgumentTypeError("--timeout 要大於 0 秒（如 600）")
    return value


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--jobs 的值「{text}」不是整數") from None
    if value < 1:
        raise argparse.ArgumentTypeError("--jobs 要是 1 以上的整數（如 2）")
    return value


def _engine(text: str) -> str:
    from genderstats.pipeline.engine import ENGINES

    if text not in ENGINES:
        raise argparse.ArgumentTypeError(f"--engine 的值「{text}」不對：請用 fork 或 plain")
    return text


def cmd_build(args: argparse.Namespace) -> int:
    from genderstats.clock import stamp
    from genderstats.pipeline.build import (
        BuildEnvironmentError,
        BuildLocked,
        BuildOptions,
        BuildUsageError,
        build,
    )
    from genderstats.pipeline.interrupts import BuildInterrupted

    def fail(message: object, code: int) -> int:
        # Build lines go to logs appended run after run: each starts with a time stamp.
        print(f"{stamp()} 錯誤：{message}", file=sys.stderr)
        return code

    try:
        result = build(BuildOptions(
            year=_year(args), data_dir=Path(args.data_dir), out_dir=Path(args.out_dir),
            only=args.only or [], jobs=args.jobs, force=args.force,
            registry=Path(args.registry) if args.registry else None, timeout=args.timeout,
            drafts=args.drafts, engine=args.engine,
        ))
    except BuildLocked as exc:
        return fail(exc, EXIT_LOCKED)
    except BuildEnvironmentError as exc:
        return fail(exc, EXIT_ENVIRONMENT)
    except (BuildUsageError, ValueError, FileNotFoundError) as exc:
        return fail(exc, EXIT_INPUT)
    except BuildInterrupted as exc:
        print(f"{stamp()} {exc}", file=sys.stderr)
        return exc.exit_code
    except Exception as exc:  # noqa: BLE001 - one line, never a traceback
        return fail(f"產製時發生未預期的問題（{type(exc).__name__}）；"
                    "已發布的頁面保持上一次的版本。", EXIT_FAILED)
    return result.exit_code


def text_catalog(reports: list[Any]) -> Any:
    """What the registry's reports offer the prose of results_report.yml."""
    from genderstats.analyses import annual

    return annual.text_catalog(annual.report_info("", 0, reports))


def last_figures(out_dir: Path, year: int) -> dict[str, str] | None:
    """The figures the year's last build recorded (None before any build): validate checks
    the prose's typed numbers against them."""
    from genderstats import report_status
    from genderstats.pipeline.state import STATE_DIR

    path = out_dir / str(year) / STATE_DIR / report_status.STATUS_FILE
    if not path.is_file():
        return None
    try:
        return report_status.figure_values(report_status.load_status(path, year, wait=False))
    except ValueError:
        return None  # a damaged status is the build's to mend; the prose is checked without


def cmd_validate(args: argparse.Namespace) -> int:
    """Check a year's files, then say for every report whether it can be built. Paths are
    shown as the user gave ``--data-dir``."""
    from genderstats.data.folders import data_dir_as_given

    if args.data_dir == str(config.DATA_DIR):  # not typed: shown by its own name, data/…
        return _validate(args)
    with data_dir_as_given(args.data_dir):
        return _validate(args)


def _validate(args: argparse.Namespace) -> int:
    from genderstats import data
    from genderstats.data import needs
    from genderstats.data.folders import year_folder_problem
    from genderstats.data.vocab import match_key
    from genderstats.pipeline.registry import load_registry

    year = _year(args)
    data_dir = config.resolve_data_dir(args.data_dir)
    folder = data_dir / str(year)
    shown = data.display_path(folder, data_dir)
    refused = year_folder_problem(folder, data_dir)
    if refused is not None:
        print(f"錯誤：{refused}{year} 年的報告都無法產製。", file=sys.stderr)
        return EXIT_INPUT
    if not folder.is_dir():
        print(f"錯誤：找不到 {shown}/ 資料夾，{year} 年的報告都無法產製。請建立這個資料夾並放入"
              "該年度的資料檔（檔名與欄位見 data/README.md）。", file=sys.stderr)
        return EXIT_INPUT
    reports = load_registry(args.registry)
    found = data.validate_year(year, data_dir, catalog=text_catalog(reports),
                               values=last_figures(Path(args.out_dir), year))
    problems = [p for p in found if not p.warning]
    warnings = [p for p in found if p.warning]
    if problems:
        print("\n".join(by_file(problems, shown)), file=sys.stderr)
        print(f"\n{shown}：共 {len(problems)} 個格式問題，請修正後再執行。\n", file=sys.stderr)
    else:
        print(f"{shown}：所有資料檔都符合格式。")
    if warnings:
        print("\n".join(by_file(warnings, shown, "則提醒")))
        print(f"另有 {len(warnings)} 則提醒（不影響產製），請逐一確認。")
    # Which datasets the problems are about, to tell the reports that read them.
    faulty = {match_key(Path(p.file).stem) for p in problems if p.file}

    print(f"\n{year} 年各報告能否產製：")
    blocked, noted = 0, 0
    for verdict in needs.readiness(reports, year, data_dir):
        name = f"{verdict.title}（{verdict.report_id}）"
        bad = [d for d in (*verdict.required, *verdict.optional) if d in faulty]
        if not verdict.buildable:
            blocked += 1
            print(f"  ✗ {name}：{needs.unbuildable_message(verdict)}")
        elif bad:
            blocked += 1
            files = "、".join(needs.dataset_label(d) for d in bad)
            print(f"  ✗ {name}：無法產製：{files}有格式問題（見上方），修正後才能產製。")
        else:
            print(f"  ✓ {name}：可以產製。")
        for note in verdict.notes:
            noted += 1
            print(f"      － {note}")
    unchecked = [r for r in reports if not r.declared]
    for report in unchecked:
        print(f"  ？ {report.title}（{report.id}）：reports.yml 沒有宣告 requires／optional，"
              "未檢查所需資料。")
    if problems or blocked:
        counts = [f"{blocked} 份報告無法產製" if blocked else "",
                  f"{len(problems)} 個格式問題" if problems else ""]
        print(f"\n{shown}：{'、'.join(c for c in counts if c)}。請依上方說明補齊或修正後再執行。",
              file=sys.stderr)
        return EXIT_INPUT
    tail = f"，{noted} 個段落將顯示「無資料」（見上方說明）" if noted else ""
    print(f"\n{shown}：所有報告都可以產製{tail}。")
    return EXIT_OK


def by_file(problems: list[Any], folder: str, noun: str = "個問題") -> list[str]:
    """The lines of ``problems`` grouped by file, in the order the files come: a heading
    naming the file, what it holds and how many problems, then one indented line each (at
    most :data:`MAX_LISTED` a file)."""
    from dataclasses import replace

    from genderstats.data.errors import MAX_LISTED

    groups: dict[str | None, list[Any]] = {}
    for problem in problems:
        groups.setdefault(problem.file, []).append(problem)
    lines: list[str] = []
    for file, listed in groups.items():
        if lines:
            lines.append("")
        lines.append(f"{_file_heading(file, folder)}：{len(listed)} {noun}")
        lines += [f"  {replace(p, file=None)}" for p in listed[:MAX_LISTED]]
        if len(listed) > MAX_LISTED:
            lines.append(f"  …另有 {len(listed) - MAX_LISTED} {noun}未列出")
    return lines


def _file_heading(file: str | None, folder: str) -> str:
    """『data/113/committee_members.xlsx（委員名單）』: a file and what it holds."""
    from genderstats.data import recommendations, results_text
    from genderstats.data.specs import DATASETS
    from genderstats.data.vocab import match_key

    if file is None:
        return "其他"
    if file == folder:
        return f"{file}/（資料夾）"
    titles = {**{stem: spec.title for stem, spec in DATASETS.items()},
              results_text.STEM: results_text.TITLE, recommendations.STEM: recommendations.TITLE}
    title = titles.get(match_key(Path(file).stem))
    return f"{file}（{title}）" if title else file


def papermill_command() -> list[str]:
    """papermill of this very environment, so a printed command runs without activating it."""
    beside = Path(sys.executable).parent / "papermill"
    return [str(beside)] if beside.is_file() else [sys.executable, "-m", "papermill"]


def cmd_list(args: argparse.Namespace) -> int:
    from genderstats.pipeline.registry import load_registry

    year = _year(args)
    data_dir = Path(args.data_dir).resolve()
    papermill = " ".join(shlex.quote(p) for p in papermill_command())
    for report in load_registry(args.registry):
        params = report.build_parameters(year, data_dir)
        draft = "\t（草稿）" if report.draft else ""
        print(f"{report.id}\t{report.title}\t{report.notebook.name}{draft}")
        flags = " ".join(f"-p {k} {shlex.quote(str(v))}" for k, v in params.items())
        print(f"    {papermill} {shlex.quote(str(report.notebook))} {report.id}.ipynb {flags}")
    return EXIT_OK


def cmd_figures(args: argparse.Namespace) -> int:
    """``genderstats figures``: the placeholders the results report's prose may use."""
    from genderstats.data.results_text import BUILT_IN
    from genderstats.pipeline.registry import figure_catalog, load_registry

    for name, meaning in {**BUILT_IN, **figure_catalog(load_registry(args.registry))}.items():
        print(f"{{{name}}}\t{meaning}")
    return EXIT_OK


def cmd_fonts(args: argparse.Namespace) -> int:
    """``genderstats fonts``: check, or with --install install, the charts' CJK font."""
    from genderstats import fonts

    return fonts.check(install=args.install, rebuild=args.rebuild_cache)


def cmd_new(args: argparse.Namespace) -> int:
    from genderstats.pipeline.scaffold import new_analysis

    path = new_analysis(args.id, args.title, source=args.source,
                        registry=Path(args.registry) if args.registry else None)
    print(f"已建立 {path}，並以草稿（draft: true）加入報告清單：build 不會發布它。"
          "完成後刪除 reports.yml 中該報告的 draft 這一行，下一次 build 就會產製並發布。")
    return EXIT_OK


def cmd_new_year(args: argparse.Namespace) -> int:
    """``genderstats new-year YEAR``: the year folder with templates and a checklist."""
    from genderstats.data.folders import year_folder_problem
    from genderstats.pipeline.newyear import new_year, summary
    from genderstats.years import roc_year

    year = roc_year(args.year)
    data_dir = config.resolve_data_dir(args.data_dir)
    if not data_dir.is_dir():
        print(f"錯誤：找不到資料夾「{args.data_dir}」。請確認 --data-dir 的路徑。", file=sys.stderr)
        return EXIT_INPUT
    folder = data_dir / str(year)
    refused = year_folder_problem(folder, data_dir)
    if refused is not None or (folder.exists() and not folder.is_dir()):
        print(f"錯誤：{refused or f'{args.year} 年的資料夾位置已經有一個檔案，不是資料夾。'}"
              "沒有建立任何檔案。", file=sys.stderr)
        return EXIT_INPUT
    done = new_year(year, data_dir, Path(args.registry) if args.registry else None)
    print(summary(done, year, data_dir))
    return EXIT_OK


# argparse's own messages (Python 3.11 wording), as patterns → Traditional Chinese. argparse
# builds them with gettext but ships no Chinese catalogue; translating them here, in this
# parser's ``error``, leaves every other parser in the process untouched.
_ERRORS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"the following arguments are required: (?P<a>.+)"), "缺少必要的參數：{a}"),
    (re.compile(r"unrecognized arguments: (?P<a>.+)"), "無法辨識的參數：{a}"),
    (re.compile(r"argument (?P<a>\S+?): invalid choice: (?P<v>.+?) \(choose from (?P<c>.+)\)"),
     "{a} 不接受「{v}」；可用的有：{c}"),
    (re.compile(r"argument (?P<a>\S+?): invalid (?P<t>\w+) value: (?P<v>.+)"),
     "{a} 的值「{v}」不是{t}"),
    (re.compile(r"argument (?P<a>\S+?): expected one argument"), "{a} 後面需要一個值"),
    (re.compile(r"argument (?P<a>\S+?): expected at least one argument"),
     "{a} 後面至少需要一個值"),
    (re.compile(r"argument (?P<a>\S+?): expected at most one argument"),
     "{a} 後面最多只能有一個值"),
    (re.compile(r"argument (?P<a>\S+?): ignored explicit argument (?P<v>.+)"),
     "{a} 不接受值「{v}」"),
    (re.compile(r"argument (?P<a>\S+?): not allowed with argument (?P<b>.+)"),
     "{a} 不能與 {b} 同時使用"),
    (re.compile(r"ambiguous option: (?P<a>\S+) could match (?P<m>.+)"),
     "選項 {a} 不明確，可能是：{m}"),
    # Last: the option checks of this file (_timeout, _jobs) already name their option.
    (re.compile(r"argument (?P<a>\S+?): (?P<m>--\S+ [^\x00-\x7f].*)"), "{m}"),
]
_TYPE_WORDS = {"int": "整數", "float": "數字"}


def _translate(message: str) -> str:
    """argparse's English error message in Traditional Chinese (unknown ones unchanged)."""
    for pattern, chinese in _ERRORS:
        match = pattern.fullmatch(message.strip())
        if match:
            # argparse quotes values with repr(): 'frob' → 「frob」, choices joined with 、.
            parts = {k: v.strip("'") for k, v in match.groupdict().items()}
            if "c" in parts:
                parts["c"] = "、".join(c.strip(" '") for c in parts["c"].split(","))
            if "t" in parts:
                parts["t"] = _TYPE_WORDS.get(parts["t"], f"有效的 {parts['t']}")
            return chinese.format(**parts)
    return message


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's layout with a Chinese 「用法：」 in front of the usage line."""

    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)

    def format_help(self) -> str:
        # argparse ends each section heading with an ASCII ":"; a full-width one reads right.
        return re.sub(r"^(\S[^\n]*):$", r"\1：", super().format_help(), flags=re.M)


class ChineseArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose help, usage and errors are all in Traditional Chinese."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        add_help = kwargs.pop("add_help", True)
        super().__init__(*args, add_help=False, **kwargs)
        self._positionals.title = "參數"
        self._optionals.title = "選項"
        if add_help:
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                              help="顯示這段說明後結束")

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_INPUT, f"錯誤：{_translate(message)}\n"
                              f"（執行 {self.prog} --help 查看用法）\n")


def parser() -> argparse.ArgumentParser:
    """The ``genderstats`` command line: every word of help and every usage error in Chinese."""
    p = ChineseArgumentParser(
        prog="genderstats",
        description="臺北市政府資訊局性別統計報告：驗證資料、產製年度報告。",
    )
    p.add_argument("--version", action="version", version=f"genderstats {__version__}",
                   help="顯示版本後結束")
    sub = p.add_subparsers(dest="command", required=True, title="可用的指令", metavar="指令",
                           parser_class=ChineseArgumentParser)

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--year", metavar="年度",
                        help="民國年或西元年（112 或 2023）；預設為資料夾中最新一年")
        sp.add_argument("--data-dir", default=str(config.DATA_DIR), metavar="資料夾",
                        help="輸入資料資料夾")
        sp.add_argument("--registry", default=None, help=argparse.SUPPRESS)

    from genderstats.pipeline.build import DEFAULT_TIMEOUT

    b = sub.add_parser("build", help="產製一個年度的所有報告",
                       description="產製一個年度的所有報告。")
    common(b)
    b.add_argument("--out-dir", default=str(config.OUTPUTS_DIR), metavar="資料夾",
                   help="輸出資料夾")
    b.add_argument("--only", nargs="+", metavar="ID", help="只產製這些報告")
    b.add_argument("--jobs", type=_jobs, default=None, metavar="數量",
                   help="同時執行的報告數（預設：CPU 核心數；與其他報告同時開始、"
                        "等待它們的成果報告不計入）")
    b.add_argument("--force", action="store_true", help="全部重新執行，不沿用未變更的結果")
    b.add_argument("--drafts", action="store_true",
                   help="也產製 reports.yml 中標為 draft: true 的草稿報告")
    b.add_argument("--timeout", type=_timeout, default=DEFAULT_TIMEOUT, metavar="秒數",
                   help=f"每份報告最長執行秒數，逾時即停止（預設 {DEFAULT_TIMEOUT:g}；"
                        "reports.yml 的 timeout 優先）")
    b.add_argument("--engine", type=_engine, default=None, metavar="fork|plain",
                   help="執行筆記本的方式：fork（預設）從預先載入套件的程序分出核心；"
                        "plain 每份報告啟動全新的核心，只用各套件公開的介面（較慢，頁面相同）。"
                        "也可設定環境變數 GENDERSTATS_ENGINE")
    b.set_defaults(func=cmd_build)

    v = sub.add_parser("validate", help="檢查一個年度的輸入資料（不執行報告）",
                       description="檢查一個年度的輸入資料（不執行報告）。")
    common(v)
    v.add_argument("--out-dir", default=str(config.OUTPUTS_DIR), metavar="資料夾",
                   help="build 的輸出資料夾：成果報告文字中打字的數字與上次產製算出的比對")
    v.set_defaults(func=cmd_validate)

    fg = sub.add_parser("figures", help="列出成果報告文字可用的佔位符（數字與判定）",
                        description="列出成果報告文字（results_report.yml）可用的佔位符："
                                    "各報告記錄的數字與判定，及其意義。")
    fg.add_argument("--registry", default=None, help=argparse.SUPPRESS)
    fg.set_defaults(func=cmd_figures)

    sp = sub.add_parser("list", help="列出報告、筆記本與參數",
                        description="列出報告、筆記本與 papermill 指令。")
    common(sp)
    sp.set_defaults(func=cmd_list)

    n = sub.add_parser("new", help="從範本建立新的分析筆記本並加入報告清單",
                       description="從範本建立新的分析筆記本並加入報告清單。")
    n.add_argument("id", help="報告 id，如 hackathon-participants")
    n.add_argument("--title", required=True, metavar="標題", help="報告標題（中文）")
    n.add_argument("--from", dest="source", default=None, metavar="筆記本",
                   help="以現有筆記本為範本（如 committee_composition）")
    n.add_argument("--registry", default=None, help=argparse.SUPPRESS)
    n.set_defaults(func=cmd_new)

    ny = sub.add_parser("new-year", help="建立新年度的資料夾：Excel 範本、去年的文字檔與待辦清單",
                        description="建立新年度的資料夾：每種資料一個 Excel 範本、去年的 "
                                    "results_report.yml 與 recommendations.yml（標出要改寫的"
                                    "段落），以及依成果報告表單順序的待辦清單 README.md。"
                                    "已有的檔案不會覆蓋。")
    ny.add_argument("year", metavar="年度", help="民國年或西元年（113 或 2024）")
    ny.add_argument("--data-dir", default=str(config.DATA_DIR), metavar="資料夾",
                    help="輸入資料資料夾")
    ny.add_argument("--registry", default=None, help=argparse.SUPPRESS)
    ny.set_defaults(func=cmd_new_year)

    f = sub.add_parser("fonts", help="檢查或安裝圖表用的中文字型（--install、--rebuild-cache）",
                       description="檢查或安裝圖表用的中文字型。")
    f.add_argument("--install", action="store_true",
                   help=f"找不到中文字型時以 apt-get 安裝 {config.FONT_PACKAGE}（需要 root）")
    f.add_argument("--rebuild-cache", action="store_true", help="讓 matplotlib 重新掃描系統字型")
    f.set_defaults(func=cmd_fonts)
    return p


def _message(exc: BaseException) -> str:
    """What to print for ``exc``: its own (Chinese) message, never a Python class name."""
    if isinstance(exc, OSError) and exc.filename is not None:
        # The system's text ("[Errno 2] No such file or directory") is English: say it here.
        what = "找不到" if isinstance(exc, FileNotFoundError) else "無法讀寫"
        return f"{what}「{exc.filename}」。請確認路徑與權限。"
    return str(exc) or "發生未預期的問題。"


def main(argv: list[str] | None = None) -> int:
    """Run the ``genderstats`` command; returns the exit code (see the module docstring)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, FileNotFoundError) as exc:
        # Registry, year and data errors carry a message written for the user.
        print(f"錯誤：{_message(exc)}", file=sys.stderr)
        return EXIT_INPUT
    except BrokenPipeError:  # e.g. `genderstats list | head`
        return EXIT_OK
    except KeyboardInterrupt:
        print("已中斷。已發布的頁面保持原樣。", file=sys.stderr)
        return 130
    except OSError as exc:
        print(f"錯誤：{_message(exc)}", file=sys.stderr)
        return EXIT_FAILED


def run() -> None:
    """The ``genderstats`` program: ``main``, then leave at once.

    Every file is written and every worker and kernel has ended by the time ``main``
    returns; what is left is the interpreter tidying the modules a build imported (pandas,
    nbconvert, …), a quarter of a second that nobody waits for gladly.
    """
    code = main()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
