"""KLS504 non-positive-spatial-dimension: valid convolutions/poolings shrink an 8x8 input below 1."""

from .common import attempt, keras, layers

SETUP = (
    "Input((8, 8, 1)) -> Conv2D(8, 3) [6x6] -> MaxPooling2D(2) [3x3] -> Conv2D(8, 3) [1x1] -> then either "
    "MaxPooling2D(2) [0x0] or another Conv2D(8, 3) [-2x-2], all padding='valid'."
)
FIX = "padding='same' on the convolutions (or fewer downsampling stages / a larger input)."


def run():
    def build(tail, padding="valid"):
        def fn(rec):
            stack = [
                keras.Input((8, 8, 1)),
                layers.Conv2D(8, 3, padding=padding),
                layers.MaxPooling2D(2),
                layers.Conv2D(8, 3, padding=padding),
                tail(padding),
                layers.Flatten(),
                layers.Dense(2),
            ]
            model = keras.Sequential(stack)
            rec["output_shapes"] = [list(layer.output.shape)[1:] for layer in model.layers]

        return attempt(fn)

    return {
        "pool_to_zero": build(lambda p: layers.MaxPooling2D(2)),
        "conv_to_negative": build(lambda p: layers.Conv2D(8, 3, padding=p)),
        "fixed": build(lambda p: layers.Conv2D(8, 3, padding=p), padding="same"),
    }
