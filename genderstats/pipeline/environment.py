"""The environment a build ran in, as the manifest records it: the hash of the lock file.

``requirements.lock`` (beside the package, in the source checkout) names every installed
package's version and file hashes; ``make`` installs exactly it. Its hash in a manifest says
which environment made a published report: check out the commit whose ``requirements.lock`` has
that hash and ``make report`` recreates it.
"""

from __future__ import annotations

from pathlib import Path

from genderstats import config
from genderstats.record import file_sha256

LOCK_FILE = config.PACKAGE_DIR.parent / "requirements.lock"


def lock_hash(path: Path = LOCK_FILE) -> str | None:
    """The SHA-256 (hex) of the lock file; None without one (e.g. an installed wheel).

    >>> lock_hash(Path("no-such-requirements.lock")) is None
    True
    """
    return file_sha256(path) if path.is_file() else None
