# The package is used from its source tree: `python3 -m unittest discover -s tests -t .`
# from python/ needs no install step.
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src"))
