"""Several tags per photo: independent sigmoid outputs with binary crossentropy."""
import pandas as pd
import tensorflow as tf
from tensorflow.keras import layers

TAGS = ["sky", "water", "tree", "building", "person", "animal"]
frame = pd.read_csv("photo_tags.csv")
gen = tf.keras.preprocessing.image.ImageDataGenerator(rescale=1 / 255, validation_split=0.2)
train = gen.flow_from_dataframe(frame, directory="photos", x_col="file", y_col=TAGS,
                                class_mode="raw", target_size=(128, 128), subset="training")

model = tf.keras.Sequential([
    layers.Conv2D(32, 3, activation="relu", input_shape=(128, 128, 3)),
    layers.GlobalAveragePooling2D(),
    layers.Dense(len(TAGS), activation="sigmoid"),
])
model.compile(optimizer="adam", loss="binary_crossentropy",
              metrics=["binary_accuracy", tf.keras.metrics.AUC(multi_label=True)])
model.fit(train, epochs=10)
