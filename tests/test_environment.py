"""environment.yml (conda) and pyproject.toml must list the same packages and versions."""

from pathlib import Path

import tomllib
import yaml

ROOT = Path(__file__).resolve().parent.parent


def pins(lines):
    out = {}
    for line in lines:
        name, _, version = line.partition("==")
        assert version, f"{line!r} is not pinned with =="
        out[name.strip().lower()] = version.strip()
    return out


def test_environment_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = pins(project["dependencies"] + project["optional-dependencies"]["test"])
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert pins(pip_section) == wanted
    for required in ("jupyterlab", "tensorflow", "numpy", "matplotlib", "nbval", "papermill"):
        assert required in wanted


def test_lock_agrees_with_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = pins(project["dependencies"] + project["optional-dependencies"]["test"])
    lines = [ln for ln in (ROOT / "requirements.lock").read_text().splitlines() if ln and not ln.startswith("#")]
    lock = {k.replace("_", "-"): v for k, v in pins(lines).items()}
    for name, version in wanted.items():
        assert lock[name.replace("_", "-")] == version, name
