"""nbhelpers: the tested helpers behind the char-level RNN text-generation lesson.

Importing it first keeps TensorFlow's start-up log lines out of notebook outputs.
"""

from ._quiet import import_tensorflow_quietly

import_tensorflow_quietly()

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
from .plots import plot_history  # noqa: E402
from .runners import NOTEBOOKS, run_notebooks  # noqa: E402
from .sampling import apply_temperature, sample, sample_rows  # noqa: E402
from .training import LossReport, history_record, load_run, nats_to_bits, save_run  # noqa: E402

__version__ = "0.1.0"

__all__ = [
    "CELLS",
    "CORPUS_ENV",
    "CORPUS_URL",
    "DEFAULTS",
    "GATES",
    "NOTEBOOKS",
    "GenerateText",
    "LossReport",
    "Vocabulary",
    "apply_temperature",
    "build_model",
    "check_parameters",
    "count_windows",
    "dense_params",
    "gate_columns",
    "generate",
    "gru_params",
    "history_record",
    "load_corpus",
    "load_run",
    "lstm_params",
    "make_dataset",
    "make_windows",
    "model_params",
    "nats_to_bits",
    "one_hot",
    "param_breakdown",
    "plot_history",
    "project_root",
    "resolve_output_dir",
    "rnn_params",
    "run_notebooks",
    "sample",
    "sample_rows",
    "save_run",
    "split_windows",
]
