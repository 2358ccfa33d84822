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
from .replay import Conflict


def interpret(source: Source, knowledge: Knowledge, host: Host, previous: Facts | None = None) -> Facts:
    """Run the module. `previous`, the facts of an earlier version, lets statements an edit
    leaves alone be replayed instead of run (see `replay`)."""
    journal = previous.journal if previous is not None else None
    if journal is not None:
        try:
            return Interpreter(source, knowledge, host, journal=journal).run()
        except Conflict:
            pass  # the edit changed what statements share: run everything
    return Interpreter(source, knowledge, host).run()
