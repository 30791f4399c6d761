"""The ``kmrecon`` command line: a thin layer over the library.

Each command lives in its own module under :mod:`kmrecon.commands`, defining a click command named
``command``. A command's module, and so the library it uses, is imported only when that command runs
(or its own ``--help`` is shown): ``kmrecon --help`` and ``kmrecon --version`` load nothing but click.
Commands parse options, make one library call, write outputs and let
:func:`kmrecon.commands.common.library_errors` translate errors.
"""

from __future__ import annotations

import importlib

import click

from kmrecon import __version__

# name -> (module, one-line help shown by ``kmrecon --help``); a test checks each line against the command.
COMMANDS: dict[str, tuple[str, str]] = {
    "audit": ("kmrecon.commands.audit",
              "Audit the reported numbers of PAPER (a registry YAML with an optional audit: section)."),
    "batch": ("kmrecon.commands.batch", "Run every figure in SOURCE (a folder of images, or a text file listing them)."),
    "compare": ("kmrecon.commands.compare",
                "Compare the trials of REGISTRY (YAML): tables, forest plots, and KM curves from IPD."),
    "demo": ("kmrecon.commands.demo",
             "Figure -> IPD -> report on a bundled, SIMULATED two-arm figure, checked against the simulated truth."),
    "digitize": ("kmrecon.commands.digitize",
                 "Digitize the Kaplan-Meier curves in FIGURE (PNG, JPEG, TIFF, BMP; or a plot in a PDF or SVG)."),
    "find": ("kmrecon.commands.find",
             "List the KM plots in PDF: page, index, kind (vector/raster), box in points and a thumbnail."),
    "reconstruct": ("kmrecon.commands.reconstruct",
                    "Reconstruct individual patient data from CURVES (kmrecon, WebPlotDigitizer or R package files)."),
    "run": ("kmrecon.commands.run",
            "From a Kaplan-Meier FIGURE (image, PDF or SVG) to reconstructed IPD, statistics and a report."),
    "simon": ("kmrecon.commands.simon",
              "Simon's optimal and minimax two-stage designs by exact binomial search (Simon 1989)."),
    "summarize": ("kmrecon.commands.summarize",
                  "Summarize reconstructed IPD_CSV (arm,time,event): medians, landmarks, RMST, HR, log-rank, "
                  "and a report."),
}


class LazyGroup(click.Group):
    """A click group whose commands are imported when they are invoked, not when the group is built."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        return importlib.import_module(COMMANDS[cmd_name][0]).command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kmrecon")
def main() -> None:
    """Digitize Kaplan-Meier figures, reconstruct IPD, and compare trials."""
