"""``python -m xlogreg``: the command line, as the ``xlogreg`` console script runs it."""

from xlogreg.cli import main

if __name__ == "__main__":
    main()
