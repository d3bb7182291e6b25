"""When deep classifiers agree: learning order, image statistics, correlations and figures."""
