"""The semantic model: imports, values, label sources, models and training calls."""

from __future__ import annotations

import pytest
from helpers import check

from kerasls.analysis import analyze
from kerasls.engine.facts import Encoding
from kerasls.engine.host import FakeHost


def training(code: str, folders=None, index: int = -1):
    analysis = check(code, folders=folders)
    assert analysis.syntax is None
    fitted = [t for t in analysis.trainings if t.fit is not None] or analysis.trainings
    return fitted[index]


# -- imports ------------------------------------------------------------------------------
IMPORT_STYLES = {
    "tf": (
        "import tensorflow as tf",
        "tf.keras.Sequential",
        "tf.keras.layers.Dense",
        "tf.keras.losses.CategoricalCrossentropy",
    ),
    "from_tf": (
        "from tensorflow import keras",
        "keras.Sequential",
        "keras.layers.Dense",
        "keras.losses.CategoricalCrossentropy",
    ),
    "tf_keras_module": (
        "import tensorflow.keras as K",
        "K.Sequential",
        "K.layers.Dense",
        "K.losses.CategoricalCrossentropy",
    ),
    "keras3": ("import keras", "keras.Sequential", "keras.layers.Dense", "keras.losses.CategoricalCrossentropy"),
    "keras3_from": (
        "from keras import layers, losses, Sequential",
        "Sequential",
        "layers.Dense",
        "losses.CategoricalCrossentropy",
    ),
    "names": (
        "from tensorflow.keras.models import Sequential as S\nfrom tensorflow.keras.layers import Dense as D\n"
        "from tensorflow.keras.losses import CategoricalCrossentropy as CCE",
        "S",
        "D",
        "CCE",
    ),
    "tf_keras_package": (
        "import tf_keras",
        "tf_keras.Sequential",
        "tf_keras.layers.Dense",
        "tf_keras.losses.CategoricalCrossentropy",
    ),
    "python_keras": (
        "from tensorflow.python import keras",
        "keras.Sequential",
        "keras.layers.Dense",
        "keras.losses.CategoricalCrossentropy",
    ),
}


@pytest.mark.parametrize("style", IMPORT_STYLES, ids=list(IMPORT_STYLES))
def test_import_styles_resolve_to_the_same_facts(style):
    imports, sequential, dense, loss = IMPORT_STYLES[style]
    t = training(f"""
{imports}
model = {sequential}([{dense}(10, "softmax")])
model.compile(loss={loss}(from_logits=False, label_smoothing=0.1))
""")
    assert t.head.width == 10 and t.head.activation == "softmax"
    assert t.loss.function == "categorical_crossentropy" and t.loss.logits is False


def test_positional_layer_arguments_bind_by_keras_signature():
    t = training("""
from tensorflow.keras import layers, models
m = models.Sequential([layers.Dense(4, "sigmoid")])
""")
    assert (t.head.width, t.head.activation) == (4, "sigmoid")


def test_loss_class_positional_from_logits():
    t = training("""
import tensorflow as tf
m = tf.keras.Sequential([tf.keras.layers.Dense(3)])
m.compile(loss=tf.keras.losses.CategoricalCrossentropy(True))
""")
    assert t.loss.logits is True


@pytest.mark.parametrize(
    "spelling, expected",
    [
        ('activation="softmax"', "softmax"),
        ("activation=tf.nn.softmax", "softmax"),
        ("activation=tf.keras.activations.sigmoid", "sigmoid"),
        ("activation=None", "linear"),
        ("", "linear"),
        ('activation="swish"', "silu"),
    ],
)
def test_activation_spellings(spelling, expected):
    t = training(
        f"""
import tensorflow as tf
m = tf.keras.Sequential([tf.keras.layers.Dense(3, {spelling})])
""".replace("(3, )", "(3)")
    )
    assert t.head.activation == expected


@pytest.mark.parametrize(
    "after",
    [
        'tf.keras.layers.Activation("softmax")',
        "tf.keras.layers.Softmax()",
    ],
)
def test_separate_activation_layer_sets_the_output_activation(after):
    t = training(f"""
import tensorflow as tf
m = tf.keras.Sequential([tf.keras.layers.Dense(5), tf.keras.layers.Dropout(0.2), {after}])
""")
    assert (t.head.width, t.head.activation) == (5, "softmax")


def test_activation_applied_as_a_function_in_the_functional_api():
    t = training("""
import tensorflow as tf
inp = tf.keras.Input(shape=(8,))
logits = tf.keras.layers.Dense(6)(inp)
probs = tf.nn.softmax(logits)
m = tf.keras.Model(inp, probs)
""")
    assert (t.head.width, t.head.activation) == (6, "softmax")


# -- values -------------------------------------------------------------------------------
def test_constants_tuples_len_and_builder_arguments():
    t = training("""
import keras
CLASSES = ["a", "b", "c", "d"]
N = len(CLASSES)
SIZE, CHANNELS = (64, 64), 3


def build(num_classes, hidden=32):
    inputs = keras.Input(shape=SIZE + (CHANNELS,))
    x = keras.layers.Flatten()(inputs)
    x = keras.layers.Dense(hidden, activation="relu")(x)
    return keras.Model(inputs, keras.layers.Dense(num_classes, activation="softmax")(x))


model = build(num_classes=N)
""")
    assert t.head.width == 4
    assert t.head.units.origin.expr == "N"


def test_branch_with_unknown_condition_makes_the_value_unknown():
    t = training("""
import sys
import keras
n = 3 if sys.argv[1] == "small" else 10
model = keras.Sequential([keras.layers.Dense(n, activation="softmax")])
""")
    assert t.head.width is None


def test_branch_with_known_condition_is_followed():
    t = training("""
import keras
N_CLASSES = 2
if N_CLASSES == 2:
    head = keras.layers.Dense(1, activation="sigmoid")
else:
    head = keras.layers.Dense(N_CLASSES, activation="softmax")
model = keras.Sequential([head])
""")
    assert (t.head.width, t.head.activation) == (1, "sigmoid")


def test_layers_added_in_an_uncertain_loop_make_the_head_unknown():
    t = training("""
import random
import keras
model = keras.Sequential()
model.add(keras.layers.Dense(10, activation="softmax"))
while random.random() > 0.5:
    model.add(keras.layers.Dense(4))
""")
    assert t.head is None


def test_layers_added_in_a_literal_loop_are_unrolled():
    t = training("""
import keras
model = keras.Sequential()
for width in (64, 32, 7):
    model.add(keras.layers.Dense(width))
model.add(keras.layers.Softmax())
""")
    assert (t.head.width, t.head.activation) == (7, "softmax")


# -- label sources ------------------------------------------------------------------------
def labels_of(code: str, folders=None):
    return training(code, folders).labels


@pytest.mark.parametrize(
    "mode, encoding, rank",
    [
        ("categorical", Encoding.ONE_HOT, 2),
        ("sparse", Encoding.INTEGER, 1),
        ("binary", Encoding.BINARY, 1),
    ],
)
def test_flow_from_directory_class_modes(mode, encoding, rank):
    labels = labels_of(
        f"""
import tensorflow as tf
gen = tf.keras.preprocessing.image.ImageDataGenerator(rescale=1 / 255)
train = gen.flow_from_directory("data/train", target_size=(64, 64), class_mode="{mode}")
model = tf.keras.Sequential([tf.keras.layers.Dense(3)])
model.fit(train)
""",
        folders={"data/train": ["a", "b", "c"]},
    )
    assert (labels.encoding, labels.rank, labels.classes) == (encoding, rank, 3)


def test_flow_from_directory_defaults_to_categorical_and_counts_folders():
    labels = labels_of(
        """
from tensorflow.keras.preprocessing.image import ImageDataGenerator
import tensorflow as tf
train = ImageDataGenerator().flow_from_directory("pics")
m = tf.keras.Sequential([tf.keras.layers.Dense(3)])
m.fit(train)
""",
        folders={"pics": [f"c{i}" for i in range(12)]},
    )
    assert labels.encoding is Encoding.ONE_HOT and labels.classes == 12
    assert labels.count.note == "12 class folders in pics"


def test_flow_from_directory_classes_argument_wins_over_folders():
    labels = labels_of(
        """
import tensorflow as tf
train = tf.keras.preprocessing.image.ImageDataGenerator().flow_from_directory("pics", classes=["x", "y"])
m = tf.keras.Sequential([tf.keras.layers.Dense(3)])
m.fit(train)
""",
        folders={"pics": ["a", "b", "c"]},
    )
    assert labels.classes == 2


def test_flow_from_dataframe_and_flow():
    t = training("""
import numpy as np
import pandas as pd
import tensorflow as tf
df = pd.read_csv("x.csv")
gen = tf.keras.preprocessing.image.ImageDataGenerator()
a = gen.flow_from_dataframe(df, x_col="f", y_col="y", class_mode="sparse")
b = gen.flow(np.zeros((4, 8, 8, 3)), tf.keras.utils.to_categorical(np.zeros(4), 5))
m = tf.keras.Sequential([tf.keras.layers.Dense(3)])
m.fit(a)
m.fit(b)
""")
    assert t.labels.encoding is Encoding.ONE_HOT and t.labels.classes == 5


@pytest.mark.parametrize(
    "call, encoding, rank, classes",
    [
        ('keras.utils.image_dataset_from_directory("d")', Encoding.INTEGER, 1, 4),
        ('keras.utils.image_dataset_from_directory("d", label_mode="categorical")', Encoding.ONE_HOT, 2, 4),
        (
            'keras.utils.image_dataset_from_directory("d", label_mode="binary", class_names=["a", "b"])',
            Encoding.BINARY,
            2,
            2,
        ),
        ('keras.utils.text_dataset_from_directory("d", label_mode="categorical")', Encoding.ONE_HOT, 2, 4),
        ('keras.utils.audio_dataset_from_directory("d")', Encoding.INTEGER, 1, 4),
        ('keras.preprocessing.image_dataset_from_directory("d")', Encoding.INTEGER, 1, 4),
    ],
)
def test_directory_datasets(call, encoding, rank, classes):
    labels = labels_of(
        f"""
import keras
ds = {call}
ds = ds.cache().shuffle(100).prefetch(2)
m = keras.Sequential([keras.layers.Dense(3)])
m.fit(ds)
""",
        folders={"d": ["w", "x", "y", "z"]},
    )
    assert (labels.encoding, labels.rank, labels.classes) == (encoding, rank, classes)


def test_timeseries_dataset_takes_the_targets():
    labels = labels_of("""
import numpy as np
import keras
y = keras.utils.to_categorical(np.load("y.npy"), 3)
ds = keras.utils.timeseries_dataset_from_array(np.load("x.npy"), y, sequence_length=10)
m = keras.Sequential([keras.layers.Dense(3)])
m.fit(ds)
""")
    assert labels.encoding is Encoding.ONE_HOT and labels.classes == 3


def test_tf_one_hot_in_a_dataset_map():
    labels = labels_of(
        """
import tensorflow as tf
ds = tf.keras.utils.image_dataset_from_directory("d")
ds = ds.map(lambda x, y: (x / 255.0, tf.one_hot(y, 4)))
m = tf.keras.Sequential([tf.keras.layers.Dense(4)])
m.fit(ds)
""",
        folders={"d": ["a", "b", "c", "d"]},
    )
    assert labels.encoding is Encoding.ONE_HOT and labels.classes == 4


def test_map_with_an_unknown_function_makes_labels_unknown():
    labels = labels_of("""
import tensorflow as tf
from mylib import augment
ds = tf.keras.utils.image_dataset_from_directory("d").map(augment)
m = tf.keras.Sequential([tf.keras.layers.Dense(4)])
m.fit(ds)
""")
    assert labels is None


@pytest.mark.parametrize(
    "expr, encoding, classes, rank",
    [
        ("tf.keras.utils.to_categorical(raw, 7)", Encoding.ONE_HOT, 7, None),  # raw's rank is unknown
        ("tf.keras.utils.to_categorical(frame['label'].values, 7)", Encoding.ONE_HOT, 7, 2),
        ("tf.one_hot(raw, 7)", Encoding.ONE_HOT, 7, None),
        ("pd.get_dummies(frame['label']).values", Encoding.ONE_HOT, None, 2),
        ("LabelEncoder().fit_transform(frame['label'])", Encoding.INTEGER, None, 1),
        ("OneHotEncoder(sparse_output=False).fit_transform(frame[['label']])", Encoding.ONE_HOT, None, 2),
        ("np.random.randint(0, 5, size=(100,))", Encoding.INTEGER, 5, 1),
        ("np.random.randint(0, 2, (100, 1))", Encoding.BINARY, 2, 2),
        ("frame['label'].values.astype('int64')", Encoding.INTEGER, None, 1),
        ("(frame['label'] == 'yes').astype('float32').values.reshape(-1, 1)", Encoding.BINARY, 2, 2),
        ("frame['price'].values", Encoding.VECTOR, None, 1),
        ("np.load('y.npy').astype(int) - 1", Encoding.INTEGER, None, None),
    ],
)
def test_array_label_sources(expr, encoding, classes, rank):
    labels = labels_of(f"""
import numpy as np
import pandas as pd
import tensorflow as tf
from sklearn.preprocessing import LabelEncoder, OneHotEncoder
frame = pd.read_csv("data.csv")
raw = np.load("labels.npy")
y = {expr}
m = tf.keras.Sequential([tf.keras.layers.Dense(3)])
m.fit(np.zeros((100, 4)), y)
""")
    assert (labels.encoding, labels.classes, labels.rank) == (encoding, classes, rank)


@pytest.mark.parametrize(
    "name, encoding, classes, rank",
    [
        ("mnist", Encoding.INTEGER, 10, 1),
        ("fashion_mnist", Encoding.INTEGER, 10, 1),
        ("cifar10", Encoding.INTEGER, 10, 2),
        ("cifar100", Encoding.INTEGER, 100, 2),
        ("imdb", Encoding.BINARY, 2, 1),
        ("reuters", Encoding.INTEGER, 46, 1),
        ("boston_housing", Encoding.REGRESSION, None, 1),
    ],
)
def test_dataset_loaders(name, encoding, classes, rank):
    labels = labels_of(f"""
from tensorflow import keras
(x_train, y_train), (x_test, y_test) = keras.datasets.{name}.load_data()
m = keras.Sequential([keras.layers.Dense(3)])
m.fit(x_train, y_train, validation_data=(x_test, y_test))
""")
    assert (labels.encoding, labels.classes, labels.rank) == (encoding, classes, rank)


def test_make_classification_and_train_test_split():
    labels = labels_of("""
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
import keras
X, y = make_classification(n_samples=100, n_classes=4, n_informative=4)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25)
m = keras.Sequential([keras.layers.Dense(4)])
m.fit(X_tr, y_tr)
""")
    assert labels.encoding is Encoding.INTEGER and labels.classes == 4


# -- models -------------------------------------------------------------------------------
def test_sequential_add_model():
    t = training("""
from keras import Sequential, layers
m = Sequential()
m.add(layers.Dense(16, activation="relu"))
m.add(layers.Dense(3, activation="softmax"))
""")
    assert t.head.width == 3


def test_transfer_learning_head_on_base_output():
    t = training("""
import tensorflow as tf
base = tf.keras.applications.ResNet50(include_top=False, weights=None, input_shape=(224, 224, 3))
x = tf.keras.layers.GlobalAveragePooling2D()(base.output)
out = tf.keras.layers.Dense(12, activation="softmax")(x)
model = tf.keras.Model(inputs=base.input, outputs=out)
""")
    assert (t.head.width, t.head.activation) == (12, "softmax")


def test_application_with_its_own_top():
    t = training("""
import keras
model = keras.applications.MobileNetV2(weights=None, classes=5)
""")
    assert (t.head.width, t.head.activation) == (5, "softmax")


def test_nested_sequential_inside_a_model():
    t = training("""
import keras
from keras import layers
augment = keras.Sequential([layers.RandomFlip(), layers.RandomRotation(0.1)])
head = keras.Sequential([layers.Dense(8, activation="relu"), layers.Dense(2, activation="softmax")])
inputs = keras.Input(shape=(32, 32, 3))
x = augment(inputs)
x = layers.Flatten()(x)
model = keras.Model(inputs, head(x))
""")
    assert (t.head.width, t.head.activation) == (2, "softmax")


def test_subclassed_models_are_unknown():
    t = training("""
import keras
class Net(keras.Model):
    def call(self, x):
        return x
net = Net()
net.compile(loss="categorical_crossentropy")
""")
    assert t.model.kind == "subclassed" and t.head is None


def test_multi_output_models_have_no_single_head():
    t = training("""
import keras
inp = keras.Input(shape=(4,))
a = keras.layers.Dense(3, activation="softmax", name="a")(inp)
b = keras.layers.Dense(1, name="b")(inp)
model = keras.Model(inp, [a, b])
model.compile(loss={"a": "sparse_categorical_crossentropy", "b": "mse"})
""")
    assert t.head is None


def test_uncalled_functions_are_still_analysed():
    analysis = check("""
import keras
def main():
    model = keras.Sequential([keras.layers.Dense(1, activation="softmax")])
    model.compile(loss="binary_crossentropy")
""")
    assert "KLS301" in [d.code for d in analysis.diagnostics]


def test_compile_and_fit_link_labels_to_the_right_model():
    analysis = check("""
import numpy as np
import keras
y_int = np.random.randint(0, 5, size=(50,))
y_hot = keras.utils.to_categorical(y_int, 5)
a = keras.Sequential([keras.layers.Dense(5, activation="softmax")])
b = keras.Sequential([keras.layers.Dense(5, activation="softmax")])
a.compile(loss="sparse_categorical_crossentropy")
b.compile(loss="categorical_crossentropy")
a.fit(np.zeros((50, 3)), y_int)
b.fit(np.zeros((50, 3)), y_hot)
""")
    assert [d.code for d in analysis.diagnostics if d.severity.value <= 2] == []


def test_recompile_uses_the_loss_in_force_at_fit():
    analysis = check("""
import numpy as np
import keras
y = keras.utils.to_categorical(np.load("y.npy"), 4)
m = keras.Sequential([keras.layers.Dense(4, activation="softmax")])
m.compile(loss="sparse_categorical_crossentropy")
m.compile(loss="categorical_crossentropy")
m.fit(np.zeros((8, 2)), y)
""")
    assert [d.code for d in analysis.diagnostics] == []


def test_an_instance_imported_from_a_project_module_is_followed():
    """`from config import CFG`, CFG an instance of the module's own class: its attributes are copied."""
    config = "class Config:\n    def __init__(self):\n        self.classes = 10\n\n\nCFG = Config()\n"
    code = "from config import CFG\nfrom tensorflow import keras\nmodel = keras.Sequential([keras.layers.Dense(CFG.classes)])\n"
    analysis = analyze(code, host=FakeHost(modules={"config.py": config}))
    assert analysis.facts.models[0].layers[0].args["units"].value == 10
