import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import nbhelpers as nbh


@pytest.mark.parametrize("cell", nbh.CELLS)
def test_unroll_changes_nothing_but_speed(cell):
    """unroll=True and unroll=False (the default, cuDNN's path on a GPU): same weights, same outputs."""
    a = nbh.build_model(cell, 8, 6, 5, unroll=True)
    b = nbh.build_model(cell, 8, 6, 5, unroll=False)
    assert a.get_layer(cell).unroll and not b.get_layer(cell).unroll
    assert a.count_params() == b.count_params()
    b.set_weights(a.get_weights())
    x = nbh.one_hot(np.random.default_rng(0).integers(0, 5, (4, 6)), 5).astype("float32")
    np.testing.assert_allclose(a.predict(x, verbose=0), b.predict(x, verbose=0), atol=1e-6)


def test_unroll_is_off_by_default_keras_and_cudnn_path():
    for cell in nbh.CELLS:
        assert not nbh.build_model(cell, 4, 40, 5).get_layer(cell).unroll
    with pytest.raises(ValueError, match="unroll must be True or False"):
        nbh.build_model("lstm", 4, 40, 5, unroll="yes")


def test_mirrored_strategy_on_two_logical_cpus():
    script = Path(__file__).with_name("strategy_script.py")
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "lstm replicas 2" in result.stdout and "gru replicas 2" in result.stdout
