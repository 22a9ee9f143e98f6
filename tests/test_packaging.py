"""planswitch installs as one package and lives beside PyPI's `schema` and `adapters`.

Builds the wheel from this checkout, installs it into a fresh virtual environment next to the
PyPI distribution named `schema` (a popular library whose top-level package the old layout
overwrote), and imports both from that environment.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
    )
    (built,) = out.glob("planswitch-*.whl")
    return built


def test_the_wheel_holds_one_top_level_package(wheel: Path):
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert tops == {"planswitch"}
    assert "planswitch/schema/schema.graphql" in names
    assert "planswitch/adapters/native/migrations/script.py.mako" in names
    assert "planswitch/adapters/native/migrations/versions/0001_initial.py" in names
    # The reference frontend's static files ride along (served at /app, issue 13).
    for path in (
        "web/index.html",
        "web/graphiql.html",
        "web/js/app.js",
        "web/js/screens/summary.js",
        "web/locales/ms.json",
        "web/vendor/graphiql/graphiql.min.js",
        "web/vendor/axe-core/axe.min.js",
    ):
        assert f"planswitch/{path}" in names, path


def test_installs_beside_pypi_schema(wheel: Path, tmp_path: Path):
    env = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env)
    python = env / "bin" / "python"
    # The new environment sees this one's installed distributions as a plain path (its .pth
    # hooks, such as planswitch's editable finder, are not run): the dependencies and PyPI's
    # `schema` (a dev extra) come from there, planswitch only from the wheel installed here.
    site = Path(
        subprocess.check_output(
            [str(python), "-c", "import site; print(site.getsitepackages()[0])"], text=True
        ).strip()
    )
    (site / "parent.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps"]
    subprocess.run([*pip, str(wheel)], check=True)
    probe = (
        "from schema import Schema\n"
        "assert Schema(int).validate(3) == 3\n"
        "import planswitch.schema.app, planswitch.server.cli, planswitch.adapters.wordpress\n"
        "import schema, planswitch.schema\n"
        "import os, sys\n"
        "assert not schema.__file__.startswith(os.path.dirname(planswitch.__file__))\n"
        "assert planswitch.schema.__file__.startswith(sys.prefix), planswitch.schema.__file__\n"
        "print('both')\n"
    )
    result = subprocess.run(
        [str(python), "-c", probe], capture_output=True, text=True, cwd=tmp_path, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "both"
