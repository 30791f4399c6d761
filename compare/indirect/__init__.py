"""Comparisons across trials: comparability checks, Bucher indirect comparisons, the cross-trial report."""
