"""The data folder and its year folders: where a dataset's file is, which files are refused,
and how a path is shown in a message.

Every reader of the year's files (the loader, the text files, the check of what each report
needs) finds them here, so a symlink out of the data folder, a folder or a named pipe under a
data file's name is refused the same way everywhere.
"""

from __future__ import annotations

import stat
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from genderstats import config
from genderstats.data.errors import DataError, Problem, excerpt
from genderstats.data.readers import folder_problem, special_file_problem
from genderstats.data.specs import EXTENSIONS, Dataset, get_dataset
from genderstats.data.vocab import match_key
from genderstats.record import record_lookup
from genderstats.years import roc_year

OUTSIDE_LINK = "這是指向資料夾外的捷徑（符號連結），基於安全不會讀取。"

_AS_GIVEN: ContextVar[tuple[Path, str] | None] = ContextVar("data_dir_as_given", default=None)
"""The data folder (resolved) and the name the user gave it, within :func:`data_dir_as_given`."""


@contextmanager
def data_dir_as_given(data_dir: str | Path) -> Iterator[None]:
    """Within: paths in ``data_dir`` are shown under the name the user typed for it (the
    command line's ``--data-dir ../113資料``), not under the folder's own name."""
    token = _AS_GIVEN.set((config.resolve_data_dir(data_dir), Path(data_dir).as_posix()))
    try:
        yield
    finally:
        _AS_GIVEN.reset(token)


def display_path(path: Path, data_dir: str | Path) -> str:
    """A path of the data folder as messages show it: under the folder's own name
    (``data/112/x.csv``), or under the name the user gave it on the command line
    (:func:`data_dir_as_given`). Nothing else names a folder of this machine, so pages and
    logs, which nobody names a folder for, show no absolute path.

    Only the folder is resolved: a symlink is shown by its own name, never by its target.
    """
    root = Path(data_dir).resolve()
    path = Path(path)
    try:
        inside = (path.parent.resolve() / path.name).relative_to(root)
    except ValueError:
        return path.as_posix()
    given = _AS_GIVEN.get()
    name = given[1] if given is not None and given[0] == root else root.name
    return (Path(name) / inside).as_posix()


def year_dir(year: int | str, data_dir: str | Path) -> Path:
    """``data/<ROC year>``; DataError when it is a symlink out of the data folder (nothing
    in it is read then: its files would be judged against the folder it points to)."""
    folder = Path(data_dir) / str(roc_year(year))
    refused = year_folder_problem(folder, data_dir)
    if refused is not None:
        raise DataError([refused])
    return folder


def year_folder_problem(folder: Path, data_dir: str | Path) -> Problem | None:
    """Why the year ``folder`` must not be read: a symlink pointing out of the data folder."""
    try:
        if not folder.is_symlink() or folder.resolve().is_relative_to(
                Path(data_dir).resolve()):
            return None
    except (OSError, RuntimeError):  # a looping link
        pass
    shown = display_path(folder, data_dir)
    parent = shown.rpartition("/")[0] or "資料"
    return Problem(shown, None, None, None,
                   f"{OUTSIDE_LINK}請把年度資料夾本身複製到 {parent}/ 中，取代這個捷徑。")


def is_data_name(path: Path) -> bool:
    """Whether ``path`` is named like a data file (Excel's 「~$」 lock files and hidden files
    such as macOS 「._」 forks are not)."""
    return path.suffix.lower() in EXTENSIONS and not path.name.startswith(("~$", "."))


def is_data_file(path: Path) -> bool:
    """Whether ``path`` is named like a data file and is a file."""
    return is_data_name(path) and path.is_file()


def refusal(path: Path, folder: Path, data_dir: str | Path) -> Problem | None:
    """Why ``path`` must not be read (a symlink out of the data folder, a folder, a FIFO…).

    Decided from lstat/stat only: the file is never opened here.
    """
    shown = display_path(path, data_dir)
    try:
        if path.is_symlink():
            target = path.resolve()
            roots = (Path(data_dir).resolve(), folder.resolve())
            if not any(target.is_relative_to(root) for root in roots):
                return Problem(shown, None, None, None,
                               f"{OUTSIDE_LINK}請把檔案本身複製到這個資料夾，取代這個捷徑。")
        mode = path.stat().st_mode
    except (OSError, RuntimeError):  # a dangling or looping link
        return Problem(shown, None, None, None,
                       "這個捷徑（符號連結）指向的檔案不存在。請放入檔案本身，或刪除這個捷徑。")
    if stat.S_ISDIR(mode):
        return folder_problem(shown)
    if not stat.S_ISREG(mode):
        return special_file_problem(shown)
    return None


def find_in(spec: Dataset, folder: Path, data_dir: str | Path) -> Path | None:
    """The file of ``spec`` in the year ``folder``; None when there is none. DataError for a
    file that must not be read (:func:`refusal`) and for two files of the same stem."""
    if not folder.is_dir():
        return None
    named = sorted(
        p for p in folder.iterdir() if is_data_name(p) and match_key(p.stem) == spec.stem
    )
    refused = [r for r in (refusal(p, folder, data_dir) for p in named) if r is not None]
    if refused:
        raise DataError(refused)
    if len(named) > 1:
        names = excerpt("、".join(p.name for p in named))
        raise DataError([Problem(
            display_path(folder, data_dir), None, None, None,
            f"資料夾中有 {len(named)} 個「{spec.stem}」（{spec.title}）檔案：{names}。"
            "同一份資料只能有一個檔案，請只保留一個，刪除或移走其他的。",
        )])
    return named[0] if named else None


def find_file(dataset: str, year: int | str, data_dir: str | Path = config.DATA_DIR) -> Path | None:
    """The file holding ``dataset`` for ``year`` (``data/<ROC year>/<stem>.csv|xlsx|ods``).

    None when there is none; DataError when two files share the stem (e.g. a .csv and an
    .xlsx), because which one is meant cannot be guessed.
    """
    data_dir = config.resolve_data_dir(data_dir)
    spec = get_dataset(dataset)
    folder = year_dir(year, data_dir)
    record_lookup(folder)
    return find_in(spec, folder, data_dir)
