"""`python -m optimotion ...`: the same as the `optimotion` command."""

import sys

from .cli import main

sys.exit(main())
