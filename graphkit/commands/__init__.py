"""CLI commands that live in their own modules.

Each module imports the ``cli`` group and the shared option decorators from
:mod:`graphkit.cli` and registers its command with ``@cli.command``. ``graphkit/cli.py``
imports this package at its end, so every command is registered before click runs.
Modules here must import heavy libraries inside the command functions only, so that
``graphkit --help`` stays fast.
"""
from . import communities, demo, learn, report, seeds, simulate, view  # noqa: F401,E402
