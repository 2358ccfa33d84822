"""Static shapes and parameter counts (the TensorFlow oracle tier checks them against Keras)."""

from __future__ import annotations

from helpers import REPO, check, run_cli

from kerasls.engine.shapes import format_shape


def summaries(code: str):
    return {s.name: s for s in check(code).summaries}


def test_the_seed_matches_model_summary():
    seed = summaries((REPO / "examples" / "leaf_species_cnn.py").read_text())["model"]
    assert [format_shape(r.output) for r in seed.rows] == [
        "(None, 150, 150, 16)",
        "(None, 75, 75, 16)",
        "(None, 75, 75, 32)",
        "(None, 37, 37, 32)",
        "(None, 37, 37, 64)",
        "(None, 18, 18, 64)",
        "(None, 20736)",
        "(None, 512)",
        "(None, 1)",
    ]
    assert [r.params for r in seed.rows] == [448, 0, 4640, 0, 18496, 0, 0, 10617344, 513]
    assert (seed.total_params, seed.trainable_params, seed.non_trainable_params) == (10641441, 10641441, 0)


def test_functional_branches_normalisation_and_recurrent_layers():
    found = summaries("""
import keras
from keras import layers
inputs = keras.Input(shape=(32, 32, 3))
a = layers.Conv2D(16, 3, padding="same")(inputs)
b = layers.Conv2D(16, 1)(inputs)
x = layers.Concatenate()([a, b])
x = layers.BatchNormalization()(x)
x = layers.Conv2D(8, 3, strides=2)(x)
x = layers.GlobalAveragePooling2D()(x)
model = keras.Model(inputs, layers.Dense(10)(x))
text = keras.Sequential([keras.Input(shape=(20,)), layers.Embedding(1000, 16),
                         layers.Bidirectional(layers.LSTM(8, return_sequences=True)), layers.GRU(4)])
""")
    model = found["model"]
    assert [format_shape(r.output) for r in model.rows] == [
        "(None, 32, 32, 3)",
        "(None, 32, 32, 16)",
        "(None, 32, 32, 16)",
        "(None, 32, 32, 32)",
        "(None, 32, 32, 32)",
        "(None, 15, 15, 8)",
        "(None, 8)",
        "(None, 10)",
    ]
    batch_norm = next(r for r in model.rows if r.kind == "BatchNormalization")
    assert (batch_norm.params, batch_norm.trainable, batch_norm.non_trainable) == (128, 64, 64)
    text = found["text"]
    assert [format_shape(r.output) for r in text.rows] == ["(None, 20, 16)", "(None, 20, 16)", "(None, 4)"]
    assert [r.params for r in text.rows] == [16000, 2 * 4 * 8 * (16 + 8 + 1), 3 * 4 * (16 + 4 + 2)]


def test_unknown_stays_unknown():
    found = summaries("""
import keras
from mylib import custom_block
inputs = keras.Input(shape=(None, None, 3))
x = keras.layers.Conv2D(8, 3)(inputs)
x = custom_block(x)
model = keras.Model(inputs, keras.layers.Dense(2)(x))
""")
    rows = found["model"].rows
    assert format_shape(rows[1].output) == "(None, None, None, 8)"
    assert rows[-1].output is None and found["model"].total_params is None


def test_summary_command_prints_each_model():
    result = run_cli("summary", "examples/leaf_species_cnn.py")
    assert result.returncode == 0
    assert 'Model: "model (Sequential)", input (None, 150, 150, 3)' in result.stdout
    assert "Total params: 10,641,441" in result.stdout
    assert "Dense         (None, 512)           10,617,344" in result.stdout
