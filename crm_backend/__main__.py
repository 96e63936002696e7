import sys

from crm_backend.cli import main

sys.exit(main())
