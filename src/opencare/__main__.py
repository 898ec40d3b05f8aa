"""`python -m opencare` is the `opencare` command."""

from opencare.cli import main

main()
