import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = Path(__file__).resolve().parent / "data"

# Validated plans are cached (simulator/plancache.py): the tests, and the commands they start,
# cache into a folder of their own rather than the user's ~/.cache.
if "DRILLSIM_CACHE" not in os.environ:
    os.environ["DRILLSIM_CACHE"] = tempfile.mkdtemp(prefix="drillsim-test-cache-")
