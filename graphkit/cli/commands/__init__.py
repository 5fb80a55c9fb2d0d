"""One module per command, each defining one click command; :mod:`graphkit.cli` adds them
to the group. A command imports only the shared helpers (``_options``, ``_output``,
``_errors``), never another command or the group, and imports heavy libraries inside the
command function so that ``graphkit --help`` stays fast."""
