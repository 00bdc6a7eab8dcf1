"""``python -m narratives``: the command line."""

import sys

from narratives.cli import main

sys.exit(main())
