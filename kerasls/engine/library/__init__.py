"""Models of what library calls return: Keras and TensorFlow, numpy and pandas, builtins, os and
pathlib, scikit-learn, and the classes the program itself defines."""
