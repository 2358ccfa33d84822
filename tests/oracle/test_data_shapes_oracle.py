"""The shapes kerasls infers for data arrays, checked against numpy on random programs.

Each program is a chain of array operations (constructors, reshape with -1, indexing and
slicing, new axes, expand_dims/squeeze, stacking and concatenation, astype, broadcasting
arithmetic, .T, reductions) generated from a seed. numpy runs it; kerasls analyses its text.
Every size kerasls states must be numpy's; a line numpy rejects must get no shape at all.

Run: pytest -m oracle tests/oracle/test_data_shapes_oracle.py
"""

from __future__ import annotations

import random

import pytest

from kerasls.analysis import analyze

np = pytest.importorskip("numpy")

pytestmark = pytest.mark.oracle

PROGRAMS = 2000


def _dims(rng: random.Random, rank: int) -> tuple:
    return tuple(rng.choice([1, 2, 3, 4, 5, 6, 8, 12]) for _ in range(rank))


def _constructor(rng: random.Random) -> str:
    shape = _dims(rng, rng.randint(1, 4))
    text = ", ".join(map(str, shape))
    return rng.choice(
        [
            f"np.zeros(({text},))" if len(shape) == 1 else f"np.zeros(({text}))",
            f"np.ones(({text},), dtype='float32')" if len(shape) == 1 else f"np.ones(({text}), dtype='float32')",
            f"np.random.rand({text})",
            f"np.random.randn({text})",
            f"np.random.random(({text},))" if len(shape) == 1 else f"np.random.random(({text}))",
            f"np.random.normal(0, 1, size=({text},))" if len(shape) == 1 else f"np.random.normal(0, 1, size=({text}))",
            f"np.random.randint(0, 7, size=({text},))"
            if len(shape) == 1
            else f"np.random.randint(0, 7, size=({text}))",
            f"np.full(({text},), 2.0)" if len(shape) == 1 else f"np.full(({text}), 2.0)",
        ]
    )


def _operation(rng: random.Random, name: str, shape: tuple, names: list[str]) -> str:
    rank = len(shape)
    other = rng.choice(names)
    choices = [
        lambda: f"{name}.reshape(-1, {shape[-1]})" if rank else f"{name}.reshape(1, -1)",
        lambda: f"{name}.reshape({', '.join(map(str, reversed(shape)))})" if rank else f"{name}.reshape(1)",
        lambda: f"{name}[{rng.randint(0, 2)}:{rng.randint(2, 9)}]",
        lambda: f"{name}[:, None]" if rank else f"{name}[None]",
        lambda: f"{name}[..., np.newaxis]",
        lambda: f"np.expand_dims({name}, {rng.randint(-1, rank)})",
        lambda: f"np.squeeze({name})",
        lambda: f"{name}.astype('int32')",
        lambda: f"{name} * 2 + 1",
        lambda: f"{name} + {other}",
        lambda: f"{name}.T",
        lambda: f"np.concatenate([{name}, {other}], axis={rng.randint(0, max(rank - 1, 0))})",
        lambda: f"np.stack([{name}, {name}])",
        lambda: f"np.vstack([{name}, {other}])",
        lambda: f"np.hstack([{name}, {name}])",
        lambda: f"{name}[0]",
        lambda: f"{name}.flatten()",
        lambda: f"np.argmax({name}, axis=-1)",
        lambda: f"{name}[:, 0]" if rank >= 2 else f"{name}[0:1]",
        lambda: f"{name}.reshape({shape[0] if rank else 1}, -1)",
    ]
    return rng.choice(choices)()


def _program(seed: int) -> str:
    rng = random.Random(seed)
    lines = ["import numpy as np", f"a0 = {_constructor(rng)}"]  # kerasls analyses it with `import keras` added
    shapes = {"a0": None}
    for index in range(1, rng.randint(3, 7)):
        if rng.random() < 0.25:
            lines.append(f"a{index} = {_constructor(rng)}")
        else:
            name = rng.choice(list(shapes))
            lines.append(f"a{index} = {_operation(rng, name, _real_shape(lines, name), list(shapes))}")
        shapes[f"a{index}"] = None
    return "\n".join(lines) + "\n"


def _real_shape(lines: list[str], name: str) -> tuple:
    env: dict = {"np": np}
    try:
        np.random.seed(0)
        exec("\n".join(lines[1:]), env)  # noqa: S102 - our own generated program
    except Exception:
        return (2, 2)
    value = env.get(name)
    return tuple(value.shape) if isinstance(value, np.ndarray) else (2, 2)


def _run(text: str) -> dict:
    """Each name's real shape, or None where numpy raised (and for everything after)."""
    env: dict = {"np": np}
    shapes: dict = {}
    np.random.seed(0)
    for line in text.splitlines()[1:]:
        name = line.split(" = ", 1)[0]
        try:
            exec(line, env)  # noqa: S102
        except Exception:
            shapes[name] = "raises"
            break
        value = env[name]
        shapes[name] = tuple(np.shape(value)) if isinstance(value, (np.ndarray, np.generic)) else None
    return shapes


def test_inferred_data_shapes_agree_with_numpy():
    stated = exact = wrong = 0
    failures = []
    for seed in range(PROGRAMS):
        text = _program(seed)
        real = _run(text)
        facts = analyze("import keras\n" + text).facts
        inferred = {site.text: value.shape for site, value in facts.arrays} if facts is not None else {}
        assert facts is not None
        for name, shape in real.items():
            got = inferred.get(name)
            if got is None or shape is None:
                continue
            if shape == "raises":
                failures.append(f"seed {seed}: {name} raises in numpy, kerasls says {got}\n{text}")
                wrong += 1
                break
            stated += 1
            if len(got) != len(shape) or any(g is not None and g != s for g, s in zip(got, shape)):
                failures.append(f"seed {seed}: {name} is {shape}, kerasls says {got}\n{text}")
                wrong += 1
            elif None not in got:
                exact += 1
    print(f"{PROGRAMS} programs: {stated} shapes stated, {exact} fully known, {wrong} wrong")
    assert not failures, "\n\n".join(failures[:5])
    assert stated > PROGRAMS  # the engine states shapes for most of the arrays
