"""Paths as the published files show them: never a folder of this machine.

Everything under a year's output folder is public, and an absolute path names the machine's
folders, often a person's (``/home/王小明/data``). So a path is shown relative to the data
folder (「112/committee_members.csv」), else to the year's output folder
(「.state/report-status.json」), else to the project (「notebooks/annual_report.ipynb」),
else by its name alone; the data folder itself by its name (「data」). The executed notebooks
get the same treatment before they are published: papermill's injected parameters, its
metadata, the records of the files read, and any message that quotes a path. The build's
own state (``.state/``, in the same folder) keeps its paths in a reversible form of its own
(:meth:`PublicPaths.stored`), so its cache keys are still those of the full paths.

>>> shown = PublicPaths("/home/王小明/data", "/srv/out/112")
>>> shown.path("/home/王小明/data/112/committee_members.csv")
'112/committee_members.csv'
>>> shown.text("找不到「/home/王小明/data/112/x.csv」")
'找不到「112/x.csv」'
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from genderstats import config

# Pictures are left alone: base64 text may hold "/" and must not be touched.
_BINARY = re.compile(r"image/(png|jpeg|gif|webp|bmp)|application/pdf")
_DATA_URI = re.compile(r"(data:[\w.+-]+/[\w.+-]+;base64,[A-Za-z0-9+/=]*)")


def _forms(path: str | Path) -> list[str]:
    """The ways a folder may be written: as given (made absolute) and with links resolved."""
    given = os.path.abspath(os.fspath(path))
    return sorted({given, os.path.realpath(given)}, key=len, reverse=True)


def _under(path: str, folder: str) -> str | None:
    """``path`` relative to ``folder`` (POSIX form), or None when it is not inside."""
    if path == folder:
        return ""
    return path[len(folder) + 1:] if path.startswith(folder + os.sep) else None


class PublicPaths:
    """The public form of the paths of one build: its data folder and year output folder."""

    def __init__(self, data_dir: str | Path, out: str | Path) -> None:
        self.bases = {"data": os.path.abspath(data_dir), "out": os.path.abspath(out)}
        self.data_name = Path(self.bases["data"]).name or "data"
        self.data = _forms(data_dir)
        self.out = _forms(out)
        self.project = _forms(config.PROJECT_ROOT)
        try:
            home = _forms(Path.home())
        except RuntimeError:
            home = []
        # (folder, what "<folder>/" becomes, what the folder alone becomes), longest first:
        # the data folder inside the project is shown from the data folder.
        rules = ([(f, "", self.data_name) for f in self.data]
                 + [(f, "", ".") for f in self.out]
                 + [(f, "", ".") for f in _forms(Path(out).parent)]
                 + [(f, "", ".") for f in self.project]
                 + [(f, "~/", "~") for f in home])
        # Papermill writes the injected parameters with non-ASCII letters escaped (\uXXXX).
        rules += [(json.dumps(f)[1:-1], inside, bare) for f, inside, bare in rules]
        self.rules = sorted((r for r in set(rules) if len(r[0]) > 1),
                            key=lambda r: len(r[0]), reverse=True)

    def path(self, path: str | Path) -> str:
        """One path in its public form (see the module docstring); a path kept in the
        state's form (:meth:`stored`) too."""
        full = self.restored(os.fspath(path))
        for folders, bare in ((self.data, self.data_name), (self.out, "."),
                              (self.project, ".")):
            for folder in folders:
                rest = _under(full, folder)
                if rest is not None:
                    return Path(rest).as_posix() if rest else bare
        return Path(full).name

    def stored(self, path: str) -> str:
        """``path`` as the build's state keeps it, naming no folder of this machine and
        reversible (:meth:`restored`): ``data:112/x.csv`` in the data folder, ``out:.state/x``
        in the year's output folder; any other path as it is."""
        full = os.path.abspath(path)
        for tag, folder in self.bases.items():  # as given: restored gives the same path
            rest = _under(full, folder)
            if rest is not None:
                return f"{tag}:{Path(rest).as_posix()}"
        return path

    def restored(self, path: str) -> str:
        """The absolute path of a path kept by :meth:`stored` (any other path made absolute)."""
        tag, colon, rest = path.partition(":")
        if colon and tag in self.bases and not rest.startswith("/"):
            return os.path.join(self.bases[tag], rest) if rest else self.bases[tag]
        return os.path.abspath(path)

    def parameters(self, parameters: dict[str, Any]) -> dict[str, Any]:
        """Report parameters with every absolute path in its public form."""
        return {k: self.path(v) if isinstance(v, str) and os.path.isabs(v) else v
                for k, v in parameters.items()}

    def text(self, text: str, rules: list[tuple[str, str, str]] | None = None) -> str:
        """Free text (a message, a cell, a page) with every absolute path of this build in
        public form; pictures embedded as ``data:`` URIs are left as they are."""
        rules = [r for r in (self.rules if rules is None else rules) if r[0] in text]
        if not rules:
            return text
        parts = _DATA_URI.split(text)
        parts[0::2] = [_plain(part, rules) for part in parts[0::2]]
        return "".join(parts)

    def notebook(self, data: bytes, published_as: str) -> bytes:
        """An executed notebook (nbformat JSON) as it may be published at ``published_as``
        (relative to the year's output folder): papermill's paths and parameters, and every
        text in it, in public form. Written as nbformat writes it."""
        raw = data.decode("utf-8")
        nb = json.loads(raw)
        meta = nb.get("metadata", {}).get("papermill")
        if isinstance(meta, dict):
            if isinstance(meta.get("input_path"), str):
                meta["input_path"] = self.path(meta["input_path"])
            meta["output_path"] = published_as
            for key in ("parameters", "default_parameters"):
                if isinstance(meta.get(key), dict):
                    meta[key] = self.parameters(meta[key])
        # Only the folders the notebook names at all are looked for in each of its texts.
        rules = [r for r in self.rules if r[0] in raw or json.dumps(r[0])[1:-1] in raw]
        if rules:
            nb = self._walk(nb, rules)
        return (json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n").encode()

    def _walk(self, node: Any, rules: list[tuple[str, str, str]]) -> Any:
        if isinstance(node, str):
            return self.text(node, rules)
        if isinstance(node, list):
            return [self._walk(v, rules) for v in node]
        if isinstance(node, dict):
            return {k: v if _BINARY.fullmatch(k) else self._walk(v, rules)
                    for k, v in node.items()}
        return node


def _plain(text: str, rules: list[tuple[str, str, str]]) -> str:
    for folder, inside, bare in rules:
        if folder in text:
            text = text.replace(folder + os.sep, inside)
            text = re.sub(re.escape(folder) + r"(?![\w-]|\.\w)", bare, text)
    return text
