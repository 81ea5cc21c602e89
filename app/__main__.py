"""`python -m app` -> the command line (no arguments: the GUI)."""

from app import cli

if __name__ == "__main__":
    raise SystemExit(cli.main())
