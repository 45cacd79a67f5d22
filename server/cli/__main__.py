"""``python -m server.cli``: the ``desk`` command from this source tree."""

import sys

from server.cli import main

sys.exit(main())
