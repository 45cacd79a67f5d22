"""What the desk writes to disk is readable by the desk's user only: directories 0700,
files 0600 (mail, attachments and the database hold customers' words and sealed secrets).

The modes are given at creation (``mkdir``/``open`` with a mode), not by changing the
process's umask, which is shared by every thread. Directories and files that exist already
are left as their owner made them.
"""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def make_private_dirs(path: Path) -> Path:
    """``path`` and every missing parent, each made 0700; returns ``path``."""
    missing: list[Path] = []
    here = path
    while not here.exists() and here != here.parent:
        missing.append(here)
        here = here.parent
    for directory in reversed(missing):
        try:
            directory.mkdir(mode=PRIVATE_DIR)
        except FileExistsError:  # made by another process meanwhile
            continue
        os.chmod(directory, PRIVATE_DIR)  # exact, whatever the umask took away
    if not path.is_dir():
        raise NotADirectoryError(f"{path} is not a directory")
    return path


def create_private_file(path: Path) -> int:
    """A new file at ``path`` (it must not exist), mode 0600, open for writing: its fd."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    os.fchmod(fd, PRIVATE_FILE)
    return fd
