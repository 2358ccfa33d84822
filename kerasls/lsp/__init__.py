"""The language server: `server` wires one function per LSP method; `session` keeps the open
documents (files and notebooks in one model) and runs the analyses; the feature modules answer."""
