"""Internal consistency of a paper's reported numbers, and Simon two-stage designs."""
