"""`python -m optimotion.cli ...`: the same as the `optimotion` command."""

from ._main import entry_point

entry_point()
