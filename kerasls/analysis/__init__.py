"""The analysis core: a document's text in; facts, diagnostics and fixes out.

`analyze` runs the engine and the rules on one text; `documents` maps files and notebook
cells onto the text analysed; `fix_all` applies fixes until stable; `hover` describes
what was inferred at a position. Pure: the machine is reached only through a Host.
"""

from .analyze import Analysis, RuleFailure, analyze

__all__ = ["Analysis", "RuleFailure", "analyze"]
