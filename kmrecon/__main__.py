"""``python -m kmrecon`` runs the command-line interface."""

from kmrecon.cli import main

main()
