"""KLS509: token ids reach Embedding's input_dim or beyond."""

from __future__ import annotations

from ..engine.facts import Layer
from ..engine.values import int_value
from ..text.diagnostics import Severity
from . import edits
from . import shape_consequences as C
from .api import Context, Example, Rule, Training


class EmbeddingIndexOutOfRange(Rule):
    """
    ## What it does
    Compares the vocabulary the data's token ids come from (`np.random.randint(0, V, ...)`,
    `imdb.load_data(num_words=V)` through `pad_sequences`) with the `input_dim` of the
    `Embedding` layer that reads them.

    ## Why is this bad?
    `Embedding(input_dim=D)` has rows for ids 0..D-1. Measured on CPU (Keras 3 and Keras 2
    alike): ids up to 4999 into `Embedding(1000, 8)` raise
    {measured.keras3.invalid.error_type} "indices[...] = ... is not in [0, 1000)" at the first
    step. On a GPU, `tf.gather`'s documentation says the lookup returns zeros instead, so
    the model would train on them silently (documented, not measured here: no GPU).

    ## Example
    ```python
    (x, y), _ = keras.datasets.imdb.load_data(num_words=10000)
    x = keras.utils.pad_sequences(x, maxlen=200)
    model = Sequential([Input((200,)), Embedding(5000, 32), GlobalAveragePooling1D(), Dense(1, activation="sigmoid")])
    ```

    ## Use instead
    ```python
    model = Sequential([Input((200,)), Embedding(10000, 32), GlobalAveragePooling1D(), Dense(1, activation="sigmoid")])
    ```
    """

    code = "KLS509"
    name = "embedding-index-out-of-range"
    severity = Severity.ERROR
    summary = "Token ids reach the Embedding's input_dim or beyond"

    VALID = [
        Example("""
import keras
(x, y), _ = keras.datasets.imdb.load_data(num_words=10000)
x = keras.utils.pad_sequences(x, maxlen=200)
model = keras.Sequential([keras.Input((200,)), keras.layers.Embedding(10000, 32), keras.layers.GlobalAveragePooling1D(),
                          keras.layers.Dense(1, activation="sigmoid")])
model.compile(loss="binary_crossentropy")
model.fit(x, y)
"""),
    ]
    INVALID = [
        Example(
            """
import keras
(x, y), _ = keras.datasets.imdb.load_data(num_words=10000)
x = keras.utils.pad_sequences(x, maxlen=200)
model = keras.Sequential([keras.Input((200,)), keras.layers.Embedding(5000, 32), keras.layers.GlobalAveragePooling1D(),
                          keras.layers.Dense(1, activation="sigmoid")])
model.compile(loss="binary_crossentropy")
model.fit(x, y)
""",
            fixed="""
import keras
(x, y), _ = keras.datasets.imdb.load_data(num_words=10000)
x = keras.utils.pad_sequences(x, maxlen=200)
model = keras.Sequential([keras.Input((200,)), keras.layers.Embedding(10000, 32), keras.layers.GlobalAveragePooling1D(),
                          keras.layers.Dense(1, activation="sigmoid")])
model.compile(loss="binary_crossentropy")
model.fit(x, y)
""",
        ),
    ]

    def check(self, t: Training, ctx: Context):
        summary = ctx.summary(t.model)
        feed = t.fit.inputs if t.fit is not None else None
        if summary is None or feed is None or feed.high is None:
            return
        layers = [row.layer for row in summary.rows if isinstance(row.layer, Layer) and row.kind != "InputLayer"]
        if not layers or layers[0].kind != "Embedding":
            return
        embedding = layers[0]
        size = int_value(embedding.arg("input_dim"))
        if size is None or feed.high <= size:
            return
        consequence = C.outcome(
            ctx, self.code, "invalid", raises="{error_type} at the first step on CPU", trains="it trains"
        )
        message = (
            f"Token ids go up to {feed.high - 1}, but Embedding has input_dim={size} (ids 0..{size - 1})\n"
            f"Ids {size}..{feed.high - 1} have no row."
        )
        message += (
            f" {consequence} On a GPU, TensorFlow documents zeros for such ids and nothing raises."
            if consequence
            else ""
        )
        site = embedding.arg_sites.get("input_dim")
        fixes = []
        if site is not None:
            made = edits.fix(f"Set input_dim={feed.high}", edits.replace(site, str(feed.high)), preferred=True)
            fixes = [made] if made else []
        related = [(feed.site, f"{feed.what}: token ids below {feed.high}")]
        yield self.diagnostic(embedding.site, message, related, fixes)
