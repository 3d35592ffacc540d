"""The benchmark script runs end to end and measures what it says (figures are never asserted)."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "bench.py"


def test_bench_runs_and_window_mode_matches_predict(corpus_path, tmp_path):
    out = tmp_path / "bench.json"
    args = ["--windows", "512", "--rounds", "1", "--chars", "5", "--classic-chars", "2"]
    args += ["--memory-windows", "1000", "--corpus", str(corpus_path), "--output", str(out)]
    res = subprocess.run([sys.executable, str(BENCH), *args], capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    results = json.loads(out.read_text())
    assert results["settings"]["windows"] == 512 and results["settings"]["classic_chars"] == 2  # what was run
    assert results["generation"]["window_max_abs_prob_diff"] <= 1e-5  # same semantics as model.predict
    training = results["training"]
    for cell in ("lstm", "gru"):
        for approach in ("classic", "nbhelpers"):
            parts = [training[f"{cell}_{approach}_{part}_s"] for part in ("setup", "compute", "teardown")]
            wall = training[f"{cell}_{approach}_epoch_s"]
            assert [len(p) for p in parts] == [1, 1, 1] == [len(wall)] * 3
            assert min(p[0] for p in parts) >= 0 and parts[1][0] > 0
            assert_allclose(sum(p[0] for p in parts), wall[0], rtol=1e-9)  # the parts add up
    memory = results["memory"]
    for approach in ("classic", "nbhelpers", "floor"):  # each child's job adds to its imports' peak
        assert 0 < memory[f"{approach}_baseline_mib"] < memory[f"{approach}_peak_rss_mib"]
    assert memory["floor_peak_rss_mib"] < memory["nbhelpers_peak_rss_mib"]
    for line in ("generation, chars/s", "training lstm", "training gru", "peak memory", "floor"):
        assert line in res.stdout


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="VmHWM is Linux-only")
def test_memory_child_reports_its_own_peak_not_its_parents():
    # Linux copies a parent's peak into the child's ru_maxrss across fork + exec; the benchmark
    # must report the child's own high-water mark. This process holds 1.5 GB while the child runs.
    ballast = np.ones(1_500 * 2**20, dtype=np.uint8)  # touched pages: resident
    code = f"import runpy; bench = runpy.run_path({str(BENCH)!r}); bench['nbh'].quiet_tensorflow()\n"
    code += "print(bench['peak_rss_mib']())"
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    child_peak = float(res.stdout.strip().splitlines()[-1])
    assert 0 < child_peak < 1_200, child_peak  # TensorFlow imported: about 600 MiB
    assert ballast[-1] == 1
