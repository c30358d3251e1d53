"""`python -m tui.cli`: the `kassi` command (what `kassi serve` starts per thin client)."""

from tui.cli import main

main()
