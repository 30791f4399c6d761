"""The layer contracts of pyproject.toml ([tool.importlinter]) hold: no package imports a higher layer."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.conftest import REPO


def test_import_linter_contracts_are_kept():
    exe = shutil.which("lint-imports")
    if exe is None:  # installed with the test extras; its absence is an install fault, not a skip
        pytest.fail("lint-imports not found: install the test extras (pip install -e '.[test]')")
    out = subprocess.run([exe, "--no-cache"], capture_output=True, text=True, cwd=REPO, check=False)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-1000:]
    assert "broken" not in out.stdout.split("Contracts:")[-1].replace("0 broken", "")


def test_every_base_module_is_in_the_no_digitizing_contract():
    import tomllib

    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    sources = next(c for c in config if c["name"].startswith("The IPD algorithms"))["source_modules"]
    modules = {f"reconstruct.{p.stem}" for p in (REPO / "reconstruct").glob("*.py")
               if p.stem not in ("__init__", "document")}
    assert sorted(modules - set(sources)) == []


def test_cli_version_and_help_load_no_library_package():
    code = ("import sys; from click.testing import CliRunner; from kmrecon.cli import main; "
            "r = CliRunner().invoke(main, ['--help']); assert r.exit_code == 0, r.output; "
            "print(sorted(m for m in ('pandas', 'numpy', 'scipy', 'matplotlib', 'compare', 'figures', "
            "'reconstruct.io', 'sksurv', 'cv2') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert out.stdout.strip() == "[]"


def test_cli_reconstruct_loads_no_pandas_scipy_opencv_or_plotting(tmp_path):
    # pandas alone costs half, and scipy.optimize/special more than, the whole reconstruction of 5,000 patients.
    (tmp_path / "c.csv").write_text("arm,time,survival\n" + "".join(f"A,{t},{s}\n" for t, s in [(0, 1), (1, 0.9), (2, 0.9), (3, 0.7), (4, 0.7)]))
    (tmp_path / "r.csv").write_text("arm,time,n_risk\nA,0,10\nA,2,9\nA,4,7\n")
    code = ("import sys; from click.testing import CliRunner; from kmrecon.cli import main; "
            f"r = CliRunner().invoke(main, ['reconstruct', r'{tmp_path / 'c.csv'}', '--at-risk', "
            f"r'{tmp_path / 'r.csv'}', '-o', r'{tmp_path / 'ipd.csv'}', '--draws', '0']); "
            "assert r.exit_code == 0, r.output; "
            "print(sorted(m for m in ('pandas', 'scipy', 'matplotlib', 'sksurv', 'cv2', 'figures') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"
    assert (tmp_path / "ipd.csv").is_file()


def test_cli_help_lines_are_the_commands_own():
    import importlib

    from kmrecon.cli import COMMANDS

    for name, (module, line) in COMMANDS.items():
        command = importlib.import_module(module).command
        assert command.name == name
        first = " ".join((command.help or "").split("\n\n")[0].split())
        assert first == line, name
