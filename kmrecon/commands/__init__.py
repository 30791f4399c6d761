"""One thin module per ``kmrecon`` command; :mod:`kmrecon.cli` imports a command's module only when it runs."""
