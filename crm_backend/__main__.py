"""`python -m crm_backend ...`: see crm_backend.cli."""

import sys

from crm_backend.cli import main

sys.exit(main())
