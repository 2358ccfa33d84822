"""The rule registry: every rule kerasls runs, in code order."""

from __future__ import annotations

from ..text.diagnostics import Severity
from .api import Rule
from .kls101_output_units_mismatch import OutputUnitsMismatchClassCount
from .kls201_binary_crossentropy_on_one_hot import BinaryCrossentropyOnOneHotLabels
from .kls202_categorical_crossentropy_on_integer import CategoricalCrossentropyOnIntegerLabels
from .kls203_sparse_crossentropy_on_one_hot import SparseCrossentropyOnOneHotLabels
from .kls204_binary_label_mode_many_classes import BinaryLabelModeWithManyClasses
from .kls205_two_unit_softmax_binary import TwoUnitSoftmaxWithBinaryCrossentropy
from .kls206_regression_loss_on_class_labels import RegressionLossOnClassLabels
from .kls207_one_hot_trained_as_multi_label import OneHotTrainedAsMultiLabel
from .kls301_softmax_single_unit import SoftmaxOnSingleUnit
from .kls302_activation_before_from_logits import ActivationBeforeFromLogitsLoss
from .kls303_logits_into_probability_loss import LogitsIntoProbabilityLoss
from .kls304_categorical_crossentropy_single_unit import CategoricalCrossentropyOnSingleUnit
from .kls305_bounded_activation_regression import BoundedActivationOnRegressionTargets
from .kls306_sigmoid_with_categorical_crossentropy import SigmoidWithCategoricalCrossentropy
from .kls401_accuracy_binary_on_one_hot import AccuracyResolvesToBinaryAccuracy
from .kls402_exact_accuracy_metric import ExactAccuracyMetricOnProbabilities
from .kls403_accuracy_multi_label import AccuracyOnMultiLabelOutput
from .kls501_input_size_mismatch import InputSizeMismatchPipeline
from .kls502_channel_mismatch import ChannelMismatchColorMode
from .kls503_dense_on_unflattened import DenseOnUnflattenedFeatures
from .kls504_non_positive_dimension import NonPositiveSpatialDimension
from .kls505_dense_dominates import DenseLayerDominatesParameters
from .kls506_input_shape_mismatch import InputShapeMismatch
from .kls507_target_shape_mismatch import TargetShapeMismatch
from .kls508_incompatible_layer_input import IncompatibleLayerInput
from .kls509_embedding_index_out_of_range import EmbeddingIndexOutOfRange
from .kls601_generator_method_removed import GeneratorMethodRemoved
from .kls602_optimizer_lr_argument import OptimizerLrArgument
from .kls603_image_data_generator_legacy import ImageDataGeneratorLegacy


class SyntaxErrorRule(Rule):
    """
    ## What it does
    Reports the first syntax error in a file, in Python's own words, at Python's position.

    ## Why is this bad?
    Python cannot run the file, and kerasls cannot analyse it. While you type, the
    language server keeps the Keras findings above the broken line and adds this one.

    ## Example
    ```python
    model.compile(loss="categorical_crossentropy"
    ```

    ## Use instead
    ```python
    model.compile(loss="categorical_crossentropy")
    ```
    """

    code = "KLS001"
    name = "syntax-error"
    severity = Severity.ERROR
    summary = "The file does not parse"

    def check(self, training, ctx):
        return ()


SYNTAX_ERROR = SyntaxErrorRule()

RULES: list[Rule] = [
    OutputUnitsMismatchClassCount(),
    BinaryCrossentropyOnOneHotLabels(),
    CategoricalCrossentropyOnIntegerLabels(),
    SparseCrossentropyOnOneHotLabels(),
    BinaryLabelModeWithManyClasses(),
    TwoUnitSoftmaxWithBinaryCrossentropy(),
    RegressionLossOnClassLabels(),
    OneHotTrainedAsMultiLabel(),
    SoftmaxOnSingleUnit(),
    ActivationBeforeFromLogitsLoss(),
    LogitsIntoProbabilityLoss(),
    CategoricalCrossentropyOnSingleUnit(),
    BoundedActivationOnRegressionTargets(),
    SigmoidWithCategoricalCrossentropy(),
    AccuracyResolvesToBinaryAccuracy(),
    ExactAccuracyMetricOnProbabilities(),
    AccuracyOnMultiLabelOutput(),
    InputSizeMismatchPipeline(),
    ChannelMismatchColorMode(),
    DenseOnUnflattenedFeatures(),
    NonPositiveSpatialDimension(),
    DenseLayerDominatesParameters(),
    InputShapeMismatch(),
    TargetShapeMismatch(),
    IncompatibleLayerInput(),
    EmbeddingIndexOutOfRange(),
    GeneratorMethodRemoved(),
    OptimizerLrArgument(),
    ImageDataGeneratorLegacy(),
]

ALL_RULES: list[Rule] = [SYNTAX_ERROR, *RULES]
BY_CODE = {rule.code: rule for rule in ALL_RULES}
BY_NAME = {rule.name: rule for rule in ALL_RULES}


def find(code_or_name: str) -> Rule | None:
    return BY_CODE.get(code_or_name.upper()) or BY_NAME.get(code_or_name.lower())
