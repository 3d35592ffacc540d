"""Import TensorFlow and Keras once, with their start-up log lines kept out of notebook outputs.

TensorFlow writes C++ (absl) log lines such as "oneDNN custom operations are on" and "Could not
find cuda drivers" straight to file descriptor 2 while it is imported. A Jupyter kernel forwards
that descriptor into the cell's output, which clutters the lesson and breaks nbval's output
comparison. ``quiet_tensorflow`` imports TensorFlow with descriptor 2 pointed at ``os.devnull``
for the duration of the import only. Python exceptions raised by the import still propagate.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import warnings


@contextlib.contextmanager
def _fd2_to_devnull():
    """Point file descriptor 2 at os.devnull inside the block, then restore it."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):  # no usable fd 2 (embedded interpreters)
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def quiet_tensorflow():
    """Import TensorFlow and Keras (on the TensorFlow backend) without log noise; return ``tensorflow``.

    Sets ``TF_CPP_MIN_LOG_LEVEL=3`` unless already set, and ``KERAS_BACKEND=tensorflow`` (the
    lesson is written for TensorFlow: its tf.data pipeline and compiled generation need it),
    imports with stderr's file descriptor silenced, then sets the TensorFlow and absl Python
    loggers to ERROR. Calling it again is cheap.

    Raises
    ------
    RuntimeError
        Keras was already imported with another backend (``KERAS_BACKEND=jax``, say); the message
        says to restart the kernel or process without it.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if "keras" in sys.modules:
        backend = sys.modules["keras"].backend.backend()
        if backend != "tensorflow":
            raise RuntimeError(
                f"Keras is already running on the {backend!r} backend; this lesson needs TensorFlow. "
                f"Restart the kernel (or process) with KERAS_BACKEND unset or set to 'tensorflow'."
            )
    else:
        os.environ["KERAS_BACKEND"] = "tensorflow"
    if "tensorflow" not in sys.modules:
        with _fd2_to_devnull():
            import keras  # noqa: F401
            import tensorflow

            # Device discovery logs too ("failed call to cuInit" on machines without a GPU):
            # do it now, while the descriptor is silenced, instead of at the first operation.
            tensorflow.config.list_physical_devices()
    import tensorflow as tf

    tf.get_logger().setLevel(logging.ERROR)
    with contextlib.suppress(ImportError):
        import absl.logging

        absl.logging.set_verbosity(absl.logging.ERROR)
    warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"(tensorflow|keras)")
    return tf
