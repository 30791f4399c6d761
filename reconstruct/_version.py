"""The kmrecon version, in the lowest layer so that every package can record it in provenance."""

__version__ = "0.1.0"
