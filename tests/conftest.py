import os
from pathlib import Path

import pytest

# The lesson runs Keras on TensorFlow (nbhelpers.quiet_tensorflow forces the same in notebooks). Set here, before
# any test module imports keras; ``import nbhelpers`` itself loads neither (tests/test_imports.py).
os.environ["KERAS_BACKEND"] = "tensorflow"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

ROOT = Path(__file__).resolve().parent.parent
SHARED_CORPUS = ROOT.parent / "shared" / "data" / "nietzsche.txt"


@pytest.fixture(scope="session")
def corpus_path():
    """The real corpus: $NBHELPERS_CORPUS, else ../shared/data/nietzsche.txt.

    Missing locally: the test is skipped. Missing in CI (CI=true): the test fails.
    """
    path = Path(os.environ.get("NBHELPERS_CORPUS") or SHARED_CORPUS)
    if not path.is_file():
        msg = f"corpus not found at {path}; set NBHELPERS_CORPUS or put the shared copy beside the checkout"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    return path


@pytest.fixture
def tiny_text():
    return "the cat sat on the mat. the dog sat on the log.\n" * 4
