import os
import sys

# `synthesis` is imported from scripts/, as scripts/synthesize.py imports it.
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))
