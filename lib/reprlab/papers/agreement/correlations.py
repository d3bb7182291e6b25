"""Spearman correlations between image statistics and learning order, with percentile bootstrap
intervals over examples."""

import numpy as np
import pandas as pd
from scipy import stats


def spearman_with_ci(metric: np.ndarray, first_epoch: np.ndarray, epochs: int, *, n_boot: int = 1000,
                     confidence: float = 0.95, seed: int = 0) -> tuple[float, float, float]:
    """Spearman correlation between an image statistic and the epoch from which all networks stay
    correct, with a percentile bootstrap interval over examples. Examples never learned (-1) are
    ranked last (epoch = ``epochs``). Returns (rho, low, high)."""
    learned = np.where(first_epoch < 0, epochs, first_epoch)
    rho = stats.spearmanr(metric, learned).statistic
    result = stats.bootstrap((metric, learned), lambda a, b: stats.spearmanr(a, b).statistic, paired=True,
                             vectorized=False, n_resamples=n_boot, confidence_level=confidence,
                             method="percentile", random_state=np.random.default_rng(seed))
    return float(rho), float(result.confidence_interval.low), float(result.confidence_interval.high)


def correlation_table(metrics: pd.DataFrame, first_epoch: np.ndarray, epochs: int, *, n_boot: int = 1000
                      ) -> pd.DataFrame:
    """:func:`spearman_with_ci` for every column of ``metrics`` (rows aligned with ``first_epoch``);
    a constant column has a row of NaN (ρ is undefined), so every metric keeps its row."""
    rows = []
    for column in metrics.columns:
        values = metrics[column].to_numpy(dtype=float)
        if np.nanstd(values) == 0:
            rows.append({"metric": column, "spearman": np.nan, "ci_low": np.nan, "ci_high": np.nan})
            continue
        rho, low, high = spearman_with_ci(values, first_epoch, epochs, n_boot=n_boot)
        rows.append({"metric": column, "spearman": rho, "ci_low": low, "ci_high": high})
    return pd.DataFrame(rows).set_index("metric")
