"""Where relative paths point, and writing files so a kill never leaves half a file."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path


def project_root() -> Path:
    """The checkout that holds this package (the folder with ``pyproject.toml``), else the cwd."""
    here = Path(__file__).resolve().parent.parent
    return here if (here / "pyproject.toml").is_file() else Path.cwd()


def resolve_output_dir(output_dir) -> Path:
    """Absolute path for ``output_dir``; a relative one is taken from the project root.

    That way a notebook writes to the same place whether it is run from JupyterLab (cwd =
    ``notebooks/``), from papermill at the repository root, or from anywhere else.
    """
    path = Path(os.path.expanduser(str(output_dir)))
    return path if path.is_absolute() else project_root() / path


def resolve_input_path(path) -> Path:
    """Absolute path for an input file: as given if it exists from the cwd, else from the project root."""
    p = Path(os.path.expanduser(str(path)))
    if p.is_absolute() or p.exists():
        return p.resolve()
    candidate = project_root() / p
    return candidate if candidate.exists() else p.resolve()


def umask() -> int:
    """The process' file-creation mask (read without changing it for good)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_text(path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` via a temporary file in the same folder and ``os.replace``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(tmp, 0o666 & ~umask())  # mkstemp makes 0600; a file written in place would follow the umask
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_write_json(path, obj) -> Path:
    """``atomic_write_text`` of ``obj`` as indented JSON."""
    return atomic_write_text(path, json.dumps(obj, indent=2, ensure_ascii=False) + "\n")
