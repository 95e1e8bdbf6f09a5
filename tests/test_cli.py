"""The command line speaks Traditional Chinese: help, usage errors, error messages."""

from __future__ import annotations

import re

import pytest

from genderstats.pipeline import cli

ENGLISH = re.compile(r"usage:|positional arguments|options:|show this help|the following|"
                     r"unrecognized|invalid|expected|argument|Error|Traceback")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = cli.main(list(argv))
    except SystemExit as exc:  # argparse exits for --help and usage errors
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("argv", [["--help"], ["build", "--help"], ["validate", "--help"],
                                  ["list", "--help"], ["new", "--help"]])
def test_help_is_chinese_throughout(capsys, argv):
    code, out, _ = run(capsys, *argv)
    assert code == 0
    assert out.startswith("用法：genderstats")
    assert "顯示這段說明後結束" in out and "選項：\n" in out
    assert not ENGLISH.search(out), ENGLISH.search(out)


def test_top_level_help_lists_the_commands(capsys):
    _, out, _ = run(capsys, "--help")
    assert "可用的指令：\n" in out
    assert "    build     產製一個年度的所有報告\n" in out
    assert "  --version   顯示版本後結束\n" in out


@pytest.mark.parametrize(("argv", "message"), [
    ([], "錯誤：缺少必要的參數：指令"),
    (["frob"], "錯誤：指令 不接受「frob」；可用的有："
               "build、validate、figures、list、new、new-year、fonts"),
    (["build", "--jobs", "x"], "錯誤：--jobs 的值「x」不是整數"),
    (["build", "--year"], "錯誤：--year 後面需要一個值"),
    (["build", "--only"], "錯誤：--only 後面至少需要一個值"),
    (["build", "--bogus"], "錯誤：無法辨識的參數：--bogus"),
    (["new", "x"], "錯誤：缺少必要的參數：--title"),
])
def test_usage_errors_are_chinese_and_exit_2(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == cli.EXIT_INPUT
    assert out == ""
    lines = err.splitlines()
    assert lines[0].startswith("用法：genderstats")
    assert message in lines
    assert lines[-1].startswith("（執行 genderstats") and lines[-1].endswith("--help 查看用法）")
    assert not ENGLISH.search(err), err


def test_bad_year_folder_is_reported_without_a_class_name(capsys, tmp_path):
    code, _, err = run(capsys, "validate", "--data-dir", str(tmp_path))
    assert code == cli.EXIT_INPUT
    assert err == f"錯誤：{tmp_path} 沒有年度資料夾（如 data/112/）；請用 --year 指定。\n"


def test_a_missing_file_is_said_in_chinese(capsys, monkeypatch, tmp_path):
    missing = tmp_path / "reports.yml"

    def fail(_args):
        raise FileNotFoundError(2, "No such file or directory", str(missing))

    monkeypatch.setattr(cli, "cmd_list", fail)
    code, _, err = run(capsys, "list", "--year", "112")
    assert code == cli.EXIT_INPUT
    assert err == f"錯誤：找不到「{missing}」。請確認路徑與權限。\n"


def test_other_parsers_keep_their_english(capsys):
    import argparse

    cli.parser()
    assert argparse.ArgumentParser(prog="x").format_usage() == "usage: x [-h]\n"


def test_fonts_command_help_and_errors_are_chinese(capsys):
    code, out, _ = run(capsys, "fonts", "--help")
    assert code == 0
    assert out.startswith("用法：genderstats fonts [-h] [--install] [--rebuild-cache]")
    assert "讓 matplotlib 重新掃描系統字型" in out and not ENGLISH.search(out)
    code, _, err = run(capsys, "fonts", "--bogus")
    assert code == cli.EXIT_INPUT
    assert "錯誤：無法辨識的參數：--bogus" in err.splitlines()
