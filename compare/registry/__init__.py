"""The registry of published trial results (YAML), its record types and its checks."""
