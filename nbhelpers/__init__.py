"""nbhelpers: the tested helpers behind the char-level RNN text-generation lesson.

Importing it first keeps TensorFlow's start-up log lines out of notebook outputs.
"""

from ._quiet import import_tensorflow_quietly

import_tensorflow_quietly()

from .compare import format_table, load_runs, quality_by_temperature, setting_differences, summary_rows  # noqa: E402
from .config import DEFAULTS, check_parameters  # noqa: E402
from .data import (  # noqa: E402
    CORPUS_ENV,
    CORPUS_URL,
    Vocabulary,
    count_windows,
    load_corpus,
    make_dataset,
    make_windows,
    one_hot,
    split_windows,
)
from .export import render_html  # noqa: E402
from .generation import GenerateText, generate  # noqa: E402
from .models import CELLS, build_model  # noqa: E402
from .params import (  # noqa: E402
    GATES,
    dense_params,
    gate_columns,
    gru_params,
    lstm_params,
    model_params,
    param_breakdown,
    rnn_params,
)
from .paths import project_root, resolve_output_dir  # noqa: E402
from .plots import plot_comparison, plot_entropy, plot_history, plot_quality  # noqa: E402
from .quality import generated_words, text_quality, words  # noqa: E402
from .runners import NOTEBOOKS, run_notebooks  # noqa: E402
from .sampling import apply_temperature, entropy_bits, sample, sample_rows, truncate  # noqa: E402
from .scratch import gru_step, lstm_step, model_forward, rnn_forward  # noqa: E402
from .training import LossReport, history_record, load_run, nats_to_bits, save_run  # noqa: E402

__version__ = "0.1.0"

__all__ = [
    "CELLS",
    "CORPUS_ENV",
    "CORPUS_URL",
    "DEFAULTS",
    "GATES",
    "GenerateText",
    "LossReport",
    "NOTEBOOKS",
    "Vocabulary",
    "apply_temperature",
    "build_model",
    "check_parameters",
    "count_windows",
    "dense_params",
    "entropy_bits",
    "format_table",
    "gate_columns",
    "generate",
    "generated_words",
    "gru_params",
    "gru_step",
    "history_record",
    "load_corpus",
    "load_run",
    "load_runs",
    "lstm_params",
    "lstm_step",
    "make_dataset",
    "make_windows",
    "model_forward",
    "model_params",
    "nats_to_bits",
    "one_hot",
    "param_breakdown",
    "plot_comparison",
    "plot_entropy",
    "plot_history",
    "plot_quality",
    "project_root",
    "quality_by_temperature",
    "render_html",
    "resolve_output_dir",
    "rnn_forward",
    "rnn_params",
    "run_notebooks",
    "sample",
    "sample_rows",
    "save_run",
    "setting_differences",
    "split_windows",
    "summary_rows",
    "text_quality",
    "truncate",
    "words",
]
