"""``python -m graphkit`` and the ``graphkit`` command: signal handling first, then the CLI."""

from ._signals import install


def run() -> None:
    """Entry point: Ctrl-C/SIGTERM handled from the first moment, then ``graphkit.cli``."""
    import os

    install()
    # before pyarrow loads: its allocator would reserve 1 GiB of address space (see cli.main)
    os.environ.setdefault("MIMALLOC_ARENA_RESERVE", "64MiB")
    from .cli import main

    main()


if __name__ == "__main__":
    run()
