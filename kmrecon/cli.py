"""The ``kmrecon`` command line: a thin layer over the library.

Each command lives in its own ``kmrecon/_cmd_*.py`` module and is registered
here; commands parse options, make one library call, write outputs and let
:func:`kmrecon._cli_common.library_errors` translate errors.
"""

from __future__ import annotations

import importlib

import click

from kmrecon import __version__

# Command modules, each defining a click command named ``command``.
_COMMAND_MODULES = (
    "kmrecon._cmd_reconstruct",
    "kmrecon._cmd_demo",
    "kmrecon._cmd_run",
    "kmrecon._cmd_batch",
    "kmrecon._cmd_simon",
    "kmrecon._cmd_audit",
    "kmrecon._cmd_compare",
    "kmrecon._cmd_digitize",
    "kmrecon._cmd_find",
    "kmrecon._cmd_summarize",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kmrecon")
def main() -> None:
    """Digitize Kaplan-Meier figures, reconstruct IPD, and compare trials."""


for _name in _COMMAND_MODULES:
    main.add_command(importlib.import_module(_name).command)
