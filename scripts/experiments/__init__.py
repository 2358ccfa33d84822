"""Ground-truth experiments: one module per kerasls rule (``klsNNN.py``).

Each module defines ``SETUP`` and ``FIX`` (one sentence each) and ``run()``,
which returns ``{variant_name: variant_dict}`` for the Keras line of the
running process (see ``common.py``). ``scripts/run_experiments.py`` runs them
under both lines and writes ``kerasls/knowledge/measured.json``.
"""
