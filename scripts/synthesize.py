#!/usr/bin/env python3
"""Synthesises training data for `listen` with this machine's offline TTS engines: see the
`synthesis` package beside this file (`python3 scripts/synthesize.py --help`)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from synthesis.cli import main  # noqa: E402

if __name__ == "__main__":
    main()
