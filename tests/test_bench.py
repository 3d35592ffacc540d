"""The benchmark script runs end to end and measures what it says (figures are never asserted)."""

import json
import math
import os
import runpy
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
    args += ["--skip-time-to-quality", "--skip-memory-scaling"]  # their own tests below
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


def _run_bench(args, timeout=300, env=None):
    cmd = [sys.executable, str(BENCH), *args]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    assert res.returncode == 0, res.stderr[-3000:]
    return res


OTHER_SECTIONS = ["--skip-generation", "--skip-training", "--skip-memory"]


def test_time_to_quality_at_toy_size(corpus_path, tmp_path):
    # Toy size: the first 1,000 classic windows (3,000 characters), 2 classic epochs as the target, chunks of 8.
    # About 20 s of compute on 2 quiet cores; the timeout only stops a hang.
    out = tmp_path / "bench.json"
    args = [*OTHER_SECTIONS, "--skip-memory-scaling", "--corpus", str(corpus_path), "--output", str(out)]
    args += ["--ttq-windows", "1000", "--ttq-epochs", "2", "--ttq-max-epochs", "25", "--chunk-batch-size", "8"]
    res = _run_bench(args)
    results = json.loads(out.read_text())
    assert not {"generation", "training", "memory", "memory_scaling"} & set(results)  # the skipped sections
    assert results["skipped"] == ["generation", "training", "memory", "memory-scaling"]
    q = results["time_to_quality"]
    assert (q["train_windows"], q["val_windows"]) == (900, 100)
    assert q["held_out_start"] == 900 * 3  # the first character only the validation windows read
    for cell in ("lstm", "gru"):
        c = q[cell]
        assert 0 < c["target_val_bpc"] < 8  # bits per character: log2(57) = 5.8 for a uniform guess
        assert len(c["classic_s"]) == len(c["every_char_s"]) == 2 and min(c["classic_s"]) > 0
        assert c["classic_val_bpc"][0] == c["target_val_bpc"]  # the target is round 1's classic result
        runs = [(r["round"], r["method"]) for r in c["runs"]]
        assert runs == [(1, "classic"), (1, "every_char"), (2, "every_char"), (2, "classic")]  # alternating
        for r in c["runs"]:
            if r["method"] == "every_char":
                assert [x["epoch"] for x in r["curve"]] == sorted({x["epoch"] for x in r["curve"]})
                assert all(0 < x["train_s"] <= r["train_s"] + 1e-9 for x in r["curve"])
                if r["reached_s"] is not None:  # reached at the first validation at or below the target
                    first = next(x for x in r["curve"] if x["val_bpc"] <= c["target_val_bpc"])
                    assert (first["epoch"], first["train_s"]) == (r["reached_epoch"], r["reached_s"])
        assert c["speedup"] is not None, c["reached"]  # 25 chunk epochs reach 2 classic epochs' quality
        assert c["speedup"] > 0 and c["spread"][0] <= c["speedup"] <= c["spread"][1]
        finish = c["val_bpc_at_classic_finish"]
        assert finish["classic"] == c["target_val_bpc"]
        assert math.isfinite(finish["every_char"]) and finish["every_char_train_s"] <= finish["classic_train_s"]
        assert f"time to quality {cell}: target" in res.stdout


def test_memory_scaling_at_toy_size_refuses_the_dense_path_above_the_budget(corpus_path, tmp_path):
    # Toy size: the first 30,000 characters at 1x and 2x, 2 steps per path. The budget lets the dense one-hot
    # path run at 1x and refuses it at 2x, as MemAvailable would at 100x of the real corpus.
    bench = runpy.run_path(str(BENCH))
    text = corpus_path.read_text(encoding="utf-8")[:30_000]
    small = tmp_path / "small.txt"
    small.write_text(text, encoding="utf-8")
    n_chars, v = len(text.lower()), len(set(text.lower()))
    estimates = [bench["dense_estimate_mib"](n_chars * k, 40, 3, v) for k in (1, 2)]
    budget = bench["FLOOR_ALLOWANCE_MIB"] + sum(estimates) / 2
    out = tmp_path / "bench.json"
    args = [*OTHER_SECTIONS, "--skip-time-to-quality", "--corpus", str(small), "--output", str(out)]
    args += ["--scales", "1,2", "--scaling-steps", "2", "--memory-budget-mib", str(budget)]
    scratch = tmp_path / "tmp"  # the bench's temporary folder for the scaled corpora
    scratch.mkdir()
    res = _run_bench(args, env={**os.environ, "TMPDIR": str(scratch)})
    assert not list(scratch.iterdir())  # the scaled corpora are deleted
    rows = json.loads(out.read_text())["memory_scaling"]["rows"]
    assert [(r["path"], r["scale"]) for r in rows] == [
        (path, scale) for scale in (1, 2) for path in ("every_char", "classic_windows", "classic_dense")
    ]
    for r in rows:
        assert r["chars"] == n_chars * r["scale"]
        if (r["path"], r["scale"]) == ("classic_dense", 2):
            assert r["status"] == "refused" and r["peak_mib"] is None and r["bytes_per_char"] is None
            assert r["estimate_mib"] == estimates[1] and r["mem_available_mib"] == budget
            continue
        assert r["status"] == "measured"
        assert 0 < r["floor_mib"] <= r["peak_mib"]  # the floor is the same process before any data
        assert math.isfinite(r["bytes_per_char"]) and r["bytes_per_char"] >= 0
        assert r["bytes_per_char"] == (r["peak_mib"] - r["floor_mib"]) * 2**20 / r["chars"]
    dense = rows[2]
    assert dense["bytes_per_char"] > 10 * rows[0]["bytes_per_char"]  # 2,280 B per character of one-hot windows
    assert "refused (estimate" in res.stdout and "memory scaling every_char" in res.stdout


def test_dense_estimate_covers_the_measured_classic_run():
    # README, Performance: data prep + 1 classic LSTM epoch on the full corpus took 1,305 MiB above the floor.
    estimate = runpy.run_path(str(BENCH))["dense_estimate_mib"](600_893, 40, 3, 57)
    assert 1_305 <= estimate <= 1.2 * 1_305
