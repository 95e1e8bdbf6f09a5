"""The ``genderstats`` command: build, validate, list, new, fonts.

Exit codes: 0 everything succeeded; 1 a report failed; 2 bad input or usage (invalid data,
unknown year or report id); 3 another build holds the output folder; 4 the output folder
cannot be written (permissions, read-only, disk full); 128 + N stopped by signal N.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

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


def cmd_build(args: argparse.Namespace) -> int:
    from genderstats.build import (
        BuildEnvironmentError,
        BuildInterrupted,
        BuildLocked,
        BuildOptions,
        BuildUsageError,
        build,
        stamp,
    )

    def fail(message: object, code: int) -> int:
        # Build lines go to logs appended run after run: each starts with a time stamp.
        print(f"{stamp()} 錯誤：{message}", file=sys.stderr)
        return code

    try:
        result = build(BuildOptions(
            year=_year(args), data_dir=Path(args.data_dir), out_dir=Path(args.out_dir),
            only=args.only or [], jobs=args.jobs, force=args.force,
            registry=Path(args.registry) if args.registry else None, timeout=args.timeout,
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


def cmd_validate(args: argparse.Namespace) -> int:
    """Check a year's files, then say for every report whether it can be built."""
    from genderstats import data
    from genderstats.data import needs
    from genderstats.data.vocab import match_key
    from genderstats.registry import load_registry

    year = _year(args)
    data_dir = config.resolve_data_dir(args.data_dir)
    folder = data_dir / str(year)
    shown = data.display_path(folder, data_dir)
    if not folder.is_dir():
        print(f"錯誤：找不到 {shown}/ 資料夾，{year} 年的報告都無法產製。請建立這個資料夾並放入"
              "該年度的資料檔（檔名與欄位見 data/README.md）。", file=sys.stderr)
        return EXIT_INPUT
    reports = load_registry(args.registry)
    problems = data.validate_year(year, data_dir)
    if problems:
        print(str(data.DataError(problems)), file=sys.stderr)
        print(f"\n{shown}：共 {len(problems)} 個格式問題，請修正後再執行。\n", file=sys.stderr)
    else:
        print(f"{shown}：所有資料檔都符合格式。")
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


def cmd_list(args: argparse.Namespace) -> int:
    from genderstats.registry import load_registry

    year = _year(args)
    data_dir = Path(args.data_dir).resolve()
    for report in load_registry(args.registry):
        params = report.build_parameters(year, data_dir)
        rel = report.notebook.relative_to(config.PROJECT_ROOT) \
            if report.notebook.is_relative_to(config.PROJECT_ROOT) else report.notebook
        print(f"{report.id}\t{report.title}\t{rel}")
        flags = " ".join(f"-p {k} {shlex.quote(str(v))}" for k, v in params.items())
        print(f"    papermill {rel} out.ipynb {flags}")
    return EXIT_OK


def cmd_new(args: argparse.Namespace) -> int:
    from genderstats.scaffold import new_analysis

    path = new_analysis(args.id, args.title, source=args.source,
                        registry=Path(args.registry) if args.registry else None)
    print(f"已建立 {path}，並加入報告清單。下一次 genderstats build 會產製它。")
    return EXIT_OK


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="genderstats",
        description="臺北市政府資訊局性別統計報告：驗證資料、產製年度報告。",
    )
    p.add_argument("--version", action="version", version=f"genderstats {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--year", help="民國年或西元年（112 或 2023）；預設為資料夾中最新一年")
        sp.add_argument("--data-dir", default=str(config.DATA_DIR), help="輸入資料資料夾")
        sp.add_argument("--registry", default=None, help=argparse.SUPPRESS)

    from genderstats.build import DEFAULT_TIMEOUT

    b = sub.add_parser("build", help="產製一個年度的所有報告")
    common(b)
    b.add_argument("--out-dir", default=str(config.OUTPUTS_DIR), help="輸出資料夾")
    b.add_argument("--only", nargs="+", metavar="ID", help="只產製這些報告")
    b.add_argument("--jobs", type=int, default=None, help="同時執行的報告數（預設：CPU 核心數）")
    b.add_argument("--force", action="store_true", help="全部重新執行，不沿用未變更的結果")
    b.add_argument("--timeout", type=_timeout, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                   help=f"每份報告最長執行秒數，逾時即停止（預設 {DEFAULT_TIMEOUT:g}；"
                        "reports.yml 的 timeout 優先）")
    b.set_defaults(func=cmd_build)

    v = sub.add_parser("validate", help="檢查一個年度的輸入資料（不執行報告）")
    common(v)
    v.set_defaults(func=cmd_validate)

    sp = sub.add_parser("list", help="列出報告、筆記本與參數")
    common(sp)
    sp.set_defaults(func=cmd_list)

    n = sub.add_parser("new", help="從範本建立新的分析筆記本並加入報告清單")
    n.add_argument("id", help="報告 id，如 hackathon-participants")
    n.add_argument("--title", required=True, help="報告標題（中文）")
    n.add_argument("--from", dest="source", default=None,
                   help="以現有筆記本為範本（如 committee_composition）")
    n.add_argument("--registry", default=None, help=argparse.SUPPRESS)
    n.set_defaults(func=cmd_new)

    sub.add_parser("fonts", help="檢查或安裝圖表用的中文字型（--install、--rebuild-cache）")
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["fonts"]:
        # `fonts` has its own options (--install, --rebuild-cache) and parser.
        from genderstats import fonts

        return fonts.main(argv[1:])
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, FileNotFoundError) as exc:
        # Registry, year and data errors carry a message written for the user.
        print(f"錯誤：{exc}", file=sys.stderr)
        return EXIT_INPUT
    except BrokenPipeError:  # e.g. `genderstats list | head`
        return EXIT_OK
    except KeyboardInterrupt:
        print("已中斷。已發布的頁面保持原樣。", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
