#!/usr/bin/env python3
"""Run graphkit from a source checkout: ``python cli.py rank data/example.csv``."""

from graphkit.cli import main

if __name__ == "__main__":
    main()
