"""Build and train under MirroredStrategy on a CPU split into two logical devices.

Used by test_models.py (a fresh process: devices must be configured before TensorFlow starts).
"""

import nbhelpers as nbh

tf = nbh.quiet_tensorflow()
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
devices = [d.name for d in tf.config.list_logical_devices("CPU")]
assert len(devices) == 2, devices
strategy = tf.distribute.MirroredStrategy(devices)
text = "the cat sat on the mat. " * 20
vocab = nbh.Vocabulary.from_text(text)
x, y = nbh.make_windows(vocab.encode(text), 8, 1)
for cell in nbh.CELLS:
    model = nbh.build_model(cell, 8, 8, vocab.size, strategy=strategy)
    assert model.distribute_strategy is strategy
    assert model.count_params() == nbh.model_params(cell, 8, vocab.size)
    history = model.fit(nbh.make_dataset(x, y, vocab.size, 16), epochs=1, verbose=0, shuffle=False)
    assert all(v == v for v in history.history["loss"])
    print(cell, "replicas", strategy.num_replicas_in_sync, "loss", history.history["loss"][0])
