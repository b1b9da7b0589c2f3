"""``python -m specguard``: the same command line as the ``specguard`` script."""

from specguard.cli import main

main()
