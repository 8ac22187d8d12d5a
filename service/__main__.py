"""Entry point for `python -m service`."""

from service.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
