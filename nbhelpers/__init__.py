"""nbhelpers: the tested plumbing behind the char-level RNN text-generation lesson.

The lesson itself (windowing, one-hot, the model, its training, the sampler, the gate equations)
is written in the notebooks' cells; this package holds what they share: the corpus and its
tf.data pipeline, saved runs, plots and diagrams, text measures, parameter-count tables, the
notebook runner, HTML export and the command line (``python -m nbhelpers``).

``import nbhelpers`` is light: each name below loads its module on first use, so TensorFlow,
Keras and matplotlib load only when a function needs them. In a notebook, call
``nbh.quiet_tensorflow()`` before ``import keras`` to keep TensorFlow's start-up log lines out of
the outputs.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# name -> module that defines it (PEP 562 lazy attributes)
_MODULE_OF = {
    "quiet_tensorflow": "quiet",
    **dict.fromkeys(["DEFAULTS", "check_parameters"], "settings"),
    **dict.fromkeys(
        [
            "CORPUS_ENV",
            "CORPUS_URL",
            "Vocabulary",
            "count_windows",
            "load_corpus",
            "make_dataset",
            "make_windows",
            "normalize_text",
            "one_hot",
            "split_windows",
        ],
        "data",
    ),
    **dict.fromkeys(["CELLS", "build_model"], "models"),
    **dict.fromkeys(
        ["build_sequence_model", "is_chief", "last_step_loss", "make_train_step", "strategy_from_env"], "every_char"
    ),
    **dict.fromkeys(
        [
            "GATES",
            "dense_params",
            "gate_columns",
            "gru_params",
            "lstm_params",
            "model_params",
            "param_breakdown",
            "rnn_params",
        ],
        "param_counts",
    ),
    **dict.fromkeys(["apply_temperature", "entropy_bits", "sample"], "sampling"),
    **dict.fromkeys(["generate", "truncate_logits"], "generation"),
    **dict.fromkeys(
        ["BitsPerChar", "DatasetEpoch", "load_run", "nats_to_bits", "read_history", "save_run", "training_callbacks"],
        "runs",
    ),
    **dict.fromkeys(["check_run_record", "run_record"], "runs"),
    **dict.fromkeys(["chunk_dataset", "encode_corpus", "held_out_start", "split_counts", "window_dataset"], "pipeline"),
    **dict.fromkeys(["generated_words", "text_measures", "words"], "measures"),
    **dict.fromkeys(
        ["format_table", "load_runs", "measures_by_temperature", "setting_differences", "summary_rows"], "compare"
    ),
    **dict.fromkeys(["plot_comparison", "plot_entropy", "plot_history", "plot_text_measures"], "plots"),
    **dict.fromkeys(["draw_gru_cell", "draw_lstm_cell", "draw_windows"], "diagrams"),
    **dict.fromkeys(["NOTEBOOKS", "run_notebooks"], "lesson"),
    "render_html": "site",
    **dict.fromkeys(["project_root", "resolve_output_dir"], "paths"),
}

__all__ = sorted(_MODULE_OF)


def __getattr__(name: str):
    module = _MODULE_OF.get(name)
    if module is None:
        try:  # a submodule, e.g. nbhelpers.exercises or nbhelpers.generation
            return importlib.import_module(f".{name}", __name__)
        except ModuleNotFoundError as e:
            if e.name != f"{__name__}.{name}":
                raise
            raise AttributeError(f"module 'nbhelpers' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__():
    return sorted(set(globals()) | set(_MODULE_OF))
