"""`python -m migrate_lint` runs the command-line interface."""

from migrate_lint.cli import main

if __name__ == "__main__":
    main()
