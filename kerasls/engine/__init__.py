"""The engine: runs a program on abstract values and hands on what it establishes.

`interpret` is the one entry: parsed source in, `Facts` out (models with their layers,
compiles, fits with their labels, data sources, deprecated calls, module-level names).
`trainings`, `heads` and `shapes` derive what rules and hovers ask about from those facts.
"""

from __future__ import annotations

from ..knowledge import Knowledge
from ..text.source import Source
from .facts import Facts
from .host import Host
from .interpreter import Interpreter


def interpret(source: Source, knowledge: Knowledge, host: Host) -> Facts:
    return Interpreter(source, knowledge, host).run()
