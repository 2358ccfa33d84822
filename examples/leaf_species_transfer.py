"""The same 42 leaf species, done right: integer labels, one softmax unit per species."""
import keras
from keras import layers

IMAGE_SIZE = (160, 160)

train_ds, val_ds = keras.utils.image_dataset_from_directory(
    "data/train",
    validation_split=0.2,
    subset="both",
    seed=7,
    image_size=IMAGE_SIZE,
    batch_size=64,
)
class_names = train_ds.class_names

base = keras.applications.MobileNetV2(include_top=False, weights=None, input_shape=IMAGE_SIZE + (3,))
base.trainable = False

inputs = keras.Input(shape=IMAGE_SIZE + (3,))
x = layers.Rescaling(1 / 127.5, offset=-1)(inputs)
x = base(x, training=False)
x = layers.GlobalAveragePooling2D()(x)
x = layers.Dropout(0.2)(x)
outputs = layers.Dense(len(class_names), activation="softmax")(x)
model = keras.Model(inputs, outputs)

model.compile(
    optimizer=keras.optimizers.Adam(1e-3),
    loss="sparse_categorical_crossentropy",
    metrics=["accuracy"],
)
model.fit(train_ds, validation_data=val_ds, epochs=10)
