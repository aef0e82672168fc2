import sys

from impactkg.cli import main

sys.exit(main())
