"""Response rates: proportion CIs (eight methods), two-arm contrasts, meta-analysis of proportions."""
