"""The wheel works outside the repository: seeds/, schemas/ and the benchmark ship inside it.

The wheel is installed (without dependencies) into a fresh virtual environment that does not see
the repository. The dependencies come from the environment running the tests, whatever it is (a
venv made by following the README, or a system Python): its site-packages folders are listed in a
``.pth`` file of the new venv. Folders listed that way are added to ``sys.path`` but their own
``.pth`` files are not run, so an editable install of tvt in the test environment stays invisible
and ``import tvt`` can only find the wheel.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _dependency_folders() -> list[str]:
    """The running interpreter's site-packages folders (where tvt's dependencies are)."""
    return [
        p
        for p in sys.path
        if Path(p).name in ("site-packages", "dist-packages") and Path(p).is_dir()
    ]


def _venv_site_packages(env_dir: Path) -> Path:
    paths = sysconfig.get_paths(vars={"base": str(env_dir), "platbase": str(env_dir)})
    return Path(paths["purelib"])


@pytest.mark.slow
def test_wheel_install_works_outside_the_repository(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
        check=True,
    )
    wheel = next(dist.glob("tvt-*.whl"))
    env_dir = tmp_path / "venv"
    venv.create(env_dir, system_site_packages=False, with_pip=False)
    py = env_dir / "bin" / "python"
    site_packages = _venv_site_packages(env_dir)
    assert site_packages.is_dir(), site_packages
    (site_packages / "tvt-test-dependencies.pth").write_text(
        "".join(f"{p}\n" for p in _dependency_folders())
    )
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "-q",
         "--no-index", str(wheel)],
        check=True,
    )  # fmt: skip
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(py), *args], cwd=work, env=env, capture_output=True, text=True, timeout=300
        )

    where = run("-c", "import tvt; print(tvt.__file__)")
    assert where.stdout.startswith(str(site_packages)), where.stdout + where.stderr
    res = run("-m", "tvt", "generate", "--seed", "1", "--clients", "3", "--out", "ds")
    assert res.returncode == 0, res.stderr
    assert len((work / "ds" / "cases.jsonl").read_text().splitlines()) == 3
    res = run("-c", "import tvt; print(tvt.score(tvt.rate(tvt.load('ds')), 'ds').n_scored)")
    assert res.returncode == 0 and res.stdout.strip() == "3", res.stderr
