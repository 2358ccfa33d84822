"""Movie reviews, positive or negative: one sigmoid unit and binary crossentropy."""
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

VOCAB = 10_000
(x_train, y_train), (x_test, y_test) = keras.datasets.imdb.load_data(num_words=VOCAB)


def multi_hot(sequences, dimension=VOCAB):
    out = np.zeros((len(sequences), dimension))
    for i, seq in enumerate(sequences):
        out[i, seq] = 1.0
    return out


model = keras.Sequential([
    layers.Dense(16, activation="relu"),
    layers.Dense(16, activation="relu"),
    layers.Dense(1, activation="sigmoid"),
])
model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
model.fit(multi_hot(x_train), y_train, epochs=4, batch_size=512, validation_data=(multi_hot(x_test), y_test))
