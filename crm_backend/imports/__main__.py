import sys

from crm_backend.imports.cli import main

sys.exit(main())
