"""``import nbhelpers`` is light, and no code reaches into another module's private names."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("tensorflow", "keras", "matplotlib")
CHECK = f"import sys; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"


def run_python(code):
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert res.returncode == 0, res.stderr[-3000:]
    return res.stdout


HELP = """
from nbhelpers.cli import main
try:
    main({argv!r})
except SystemExit as e:
    assert e.code == 0
"""


@pytest.mark.parametrize(
    "code",
    [
        "import nbhelpers",
        "import nbhelpers; assert nbhelpers.lstm_params(128, 57) == 95232",
        "import nbhelpers as nbh; nbh.check_parameters(**nbh.DEFAULTS); nbh.Vocabulary.from_text('ab'); nbh.sample"
        "([0.5, 0.5], 1.0); nbh.count_windows(600893, 40, 3); nbh.words; nbh.NOTEBOOKS",
        # --help builds the parser only; generate and html import what they need when they run
        HELP.format(argv=["--help"]),
        HELP.format(argv=["generate", "--help"]),
    ],
    ids=["import", "lstm_params", "numpy_helpers", "cli_help", "cli_generate_help"],
)
def test_light_paths_load_no_tensorflow_keras_or_matplotlib(code):
    assert run_python(f"{code}\n{CHECK}").strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize(
    "argv", [["--help"], ["generate", "--help"], ["html", "--help"], ["train", "--help"]], ids=" ".join
)
def test_python_m_nbhelpers_help_loads_none_of_them(argv):
    """``python -m nbhelpers ... --help`` itself, with ``-X importtime`` listing every module the process imported."""
    cmd = [sys.executable, "-X", "importtime", "-m", "nbhelpers", *argv]
    res = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert res.returncode == 0, res.stderr[-3000:]
    assert res.stdout.startswith("usage: python -m nbhelpers")
    imported = {line.rsplit("|", 1)[-1].strip() for line in res.stderr.splitlines() if line.startswith("import time:")}
    assert "nbhelpers.cli" in imported  # the listing works
    assert not {name for name in imported if name.split(".")[0] in HEAVY}


def test_quiet_tensorflow_loads_keras_on_tensorflow():
    out = run_python(
        "import nbhelpers as nbh; tf = nbh.quiet_tensorflow(); import keras; print(keras.backend.backend())"
    )
    assert out.strip().splitlines()[-1] == "tensorflow"


def test_quiet_tensorflow_refuses_keras_on_another_backend():
    # a stand-in for Keras imported with KERAS_BACKEND=jax (no second backend needs to be installed)
    code = """
import sys, types
fake = types.ModuleType("keras")
fake.backend = types.SimpleNamespace(backend=lambda: "jax")
sys.modules["keras"] = fake
import nbhelpers as nbh
try:
    nbh.quiet_tensorflow()
except RuntimeError as e:
    print(e)
"""
    code += CHECK
    out = run_python(code)
    assert "Keras is already running on the 'jax' backend" in out and "Restart the kernel" in out
    assert out.strip().splitlines()[-1] == "['keras']"  # the stand-in only: TensorFlow was never imported


def test_unknown_attribute_is_an_attribute_error():
    import nbhelpers as nbh

    with pytest.raises(AttributeError, match="no attribute 'truncate'"):
        nbh.truncate  # noqa: B018  (removed: truncation is nbh.truncate_logits)
    assert "generate" in dir(nbh) and "truncate_logits" in nbh.__all__


def test_every_lazy_name_resolves():
    import nbhelpers as nbh

    for name in nbh.__all__:
        assert getattr(nbh, name) is not None, name


# --- no private names across modules -----------------------------------------------------------------------------

SOURCES = sorted(p for folder in ("nbhelpers", "benchmarks", "tests") for p in (ROOT / folder).rglob("*.py"))


def module_of(path):
    """'nbhelpers.runs' for nbhelpers/runs.py; None for files outside the package."""
    rel = path.relative_to(ROOT)
    if rel.parts[0] != "nbhelpers":
        return None
    parts = list(rel.with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def resolve(module, level, package):
    """Absolute name of ``from <level dots><module> import ...`` written in a file of ``package``."""
    if not level:
        return module or ""
    parts = package.split(".")[: len(package.split(".")) - (level - 1)]
    return ".".join([*parts, *([module] if module else [])])


def private_uses(path):
    """(line, what) for each private name of another nbhelpers module that the file imports or reaches."""
    current = module_of(path)
    package = current if path.name == "__init__.py" else (current or "").rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    aliases = {}  # local name -> nbhelpers module it refers to
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] == "nbhelpers":
                    if any(part.startswith("_") and part != "__main__" for part in a.name.split(".")):
                        found.append((node.lineno, a.name))
                    aliases[a.asname or a.name.split(".")[0]] = a.name if a.asname else "nbhelpers"
        elif isinstance(node, ast.ImportFrom):
            base = resolve(node.module, node.level, package)
            if base.split(".")[0] != "nbhelpers":
                continue
            if any(part.startswith("_") and part != "__main__" for part in base.split(".")):
                found.append((node.lineno, base))
            for a in node.names:
                if a.name.startswith("_") and a.name != "__version__":
                    found.append((node.lineno, f"{base}.{a.name}"))
                aliases[a.asname or a.name] = f"{base}.{a.name}"
    for node in ast.walk(tree):  # nbh.<module>._private or <module alias>._private
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
            chain, inner = [node.attr], node.value
            while isinstance(inner, ast.Attribute):
                chain.append(inner.attr)
                inner = inner.value
            if isinstance(inner, ast.Name) and inner.id in aliases:
                target = aliases[inner.id]
                if target != current:  # a module's own privates are its own business
                    found.append((node.lineno, ".".join([target, *reversed(chain)])))
    return found


def test_the_checker_finds_private_uses(tmp_path):
    probe = ROOT / "tests" / "_probe_for_private_names.py"
    probe.write_text(
        "import nbhelpers as nbh\n"
        "from nbhelpers.cli import _parse_value, main\n"
        "from nbhelpers import _quiet\n"
        "import nbhelpers.generation as gen\n"
        "x = nbh.generation._window_fn\n"
        "y = gen._uniforms\n"
        "z = nbh.runs.read_json\n",
        encoding="utf-8",
    )
    try:
        found = [what for _, what in private_uses(probe)]
    finally:
        probe.unlink()
    assert sorted(found) == sorted(
        [
            "nbhelpers.cli._parse_value",
            "nbhelpers._quiet",
            "nbhelpers.generation._window_fn",
            "nbhelpers.generation._uniforms",
        ]
    )


def test_relative_imports_resolve_like_python():
    assert resolve("data", 1, "nbhelpers") == "nbhelpers.data"  # from .data import ..., in nbhelpers/runs.py
    assert resolve(None, 1, "nbhelpers.exercises") == "nbhelpers.exercises"  # from . import ..., in exercises/
    assert resolve("paths", 2, "nbhelpers.exercises") == "nbhelpers.paths"  # from ..paths import ...
    assert resolve("nbhelpers.cli", 0, "") == "nbhelpers.cli"


@pytest.mark.parametrize("path", SOURCES, ids=[str(p.relative_to(ROOT)) for p in SOURCES])
def test_no_private_names_of_other_modules(path):
    found = private_uses(path)
    assert not found, f"{path.relative_to(ROOT)} uses private names: " + ", ".join(f"{w} (line {n})" for n, w in found)
