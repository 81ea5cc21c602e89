"""Entry point of the bundled executables (both the window and the command line)."""

import multiprocessing
import sys

from app import cli

if __name__ == "__main__":
    multiprocessing.freeze_support()  # the load benchmarks' worker processes, if run frozen
    sys.exit(cli.main())
