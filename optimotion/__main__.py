"""`python -m optimotion ...`: the same as the `optimotion` command."""

from .cli import entry_point

entry_point()
