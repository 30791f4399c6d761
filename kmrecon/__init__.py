"""kmrecon: Kaplan-Meier figures to individual patient data, and trials side by side.

The library lives in the ``reconstruct``, ``compare`` and ``figures`` packages;
this package holds the command-line entry point and the version only.
"""

__version__ = "0.1.0"
