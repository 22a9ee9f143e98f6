#!/usr/bin/env python
"""Type checks (mypy) and import contracts (import-linter) over the installed layout.

    python scripts/static_checks.py [mypy] [imports]     # both when none is named

Both tools read a package from disk, but the repository keeps the design card's folders at
its top (``domain/``, ``schema/``, ...) and setuptools maps them into ``planswitch.*``
(``[tool.setuptools.package-dir]``), which neither tool can follow. So the sources are
mirrored, as the wheel lays them out, into ``.static_checks/planswitch/`` (modification
times kept, so mypy's cache stays valid), and the tools run there with the repository's
``pyproject.toml``; reported paths are mapped back to the repository's. Exit status: the
first failing tool's.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MIRROR = ROOT / ".static_checks"
PACKAGE = "planswitch"


def package_dirs() -> dict[str, Path]:
    """``{"planswitch.domain": ROOT / "domain", ...}`` from pyproject's package-dir."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    mapping = config["tool"]["setuptools"]["package-dir"]
    return {name: ROOT / folder for name, folder in mapping.items()}


def mirror() -> Path:
    """Copy every mapped package's Python files to ``MIRROR/planswitch/...``; return MIRROR."""
    wanted: set[Path] = set()
    packages = package_dirs()
    for name, folder in packages.items():
        target = MIRROR.joinpath(*name.split("."))
        nested = [packages[n] for n in packages if n.startswith(name + ".")]
        for source in folder.rglob("*.py"):
            relative = source.relative_to(folder)
            if any(part in {"__pycache__", ".venv"} for part in relative.parts):
                continue
            if any(inner in source.parents for inner in nested):
                continue  # a folder mapped on its own is copied by its own entry
            destination = target / relative
            wanted.add(destination)
            if not destination.exists() or destination.stat().st_mtime != source.stat().st_mtime:
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, destination)
    for stale in MIRROR.joinpath(PACKAGE).rglob("*.py"):
        if stale not in wanted:  # deleted or moved in the repository
            stale.unlink()
    return MIRROR


def repository_path(text: str) -> str:
    """Rewrite mirrored paths (``planswitch/domain/x.py``) to the repository's (``domain/x.py``)."""
    for name, folder in sorted(package_dirs().items(), key=lambda item: -len(item[0])):
        mirrored = "/".join(name.split(".")) + "/"
        relative = folder.relative_to(ROOT).as_posix()
        local = "" if relative == "." else relative + "/"
        text = re.sub(rf"(?<![\w/.]){re.escape(mirrored)}", local, text)
    return text


def run(command: list[str]) -> int:
    environment = {**os.environ, "PYTHONPATH": str(MIRROR)}
    result = subprocess.run(
        command, cwd=MIRROR, env=environment, capture_output=True, text=True, check=False
    )
    sys.stdout.write(repository_path(result.stdout))
    sys.stderr.write(repository_path(result.stderr))
    return result.returncode


def check_types() -> int:
    config = ROOT / "pyproject.toml"
    cache = ROOT / ".mypy_cache"
    return run(
        [sys.executable, "-m", "mypy", "--config-file", str(config),
         "--cache-dir", str(cache), "-p", PACKAGE]
    )  # fmt: skip


def check_imports() -> int:
    return run(
        [sys.executable, "-c", "from importlinter.cli import lint_imports_command; "
         "lint_imports_command()", str(ROOT / "pyproject.toml"), "--no-cache"]
    )  # fmt: skip


def main(argv: list[str]) -> int:
    checks = {"mypy": check_types, "imports": check_imports}
    names = argv or list(checks)
    unknown = [name for name in names if name not in checks]
    if unknown:
        print(f"unknown check(s): {', '.join(unknown)}; choose from {', '.join(checks)}")
        return 2
    mirror()
    status = 0
    for name in names:
        status = status or checks[name]()
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
