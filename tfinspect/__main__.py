import sys

from tfinspect.cli import main

sys.exit(main())
