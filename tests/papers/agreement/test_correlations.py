import numpy as np
import pandas as pd

from reprlab.papers.agreement.correlations import correlation_table, spearman_with_ci


def test_spearman_interval_covers_a_known_monotone_relation():
    rng = np.random.default_rng(0)
    metric = rng.random(500)
    first = np.round(metric * 10 + rng.normal(0, 1, 500)).clip(-1, 9).astype(int)
    rho, low, high = spearman_with_ci(metric, first, epochs=10, n_boot=200)
    assert 0.7 < low <= rho <= high < 1
    table = correlation_table(pd.DataFrame({"m": metric, "noise": rng.random(500), "flat": np.ones(500)}),
                              first, 10, n_boot=100)
    assert list(table.index) == ["m", "noise", "flat"]
    assert table.loc["noise", "ci_low"] < 0 < table.loc["noise", "ci_high"]
    assert table.loc["flat"].isna().all()  # a constant metric keeps its row: rho is undefined, not absent
