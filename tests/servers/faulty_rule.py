"""`kerasls serve` with one rule made to raise (argv[1]), to prove a faulty rule costs only its own findings."""

import sys

from kerasls.cli import main
from kerasls.rules import RULES


def broken(training, ctx):
    raise RuntimeError(f"fault injected into {sys.argv[1]}")


for rule in RULES:
    if rule.code == sys.argv[1]:
        rule.check = broken

sys.exit(main(["serve"]))
