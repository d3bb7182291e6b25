import json

import numpy as np
import pytest

from reprlab.papers.labels import bank, recipes


def test_label_bank_writes_every_type_with_its_sidecar_and_statistics(tmp_path):
    banks, rows = bank.write_label_bank(tmp_path, "toy", ["a", "b", "c"], ["uniform", "random", "lowdim"])
    assert [r["type"] for r in rows] == ["uniform", "random", "lowdim"]
    for row in rows:
        loaded = bank.load_label(tmp_path, "toy", row["type"])
        assert np.array_equal(loaded, banks[row["type"]])
        sidecar = json.loads((tmp_path / f"toy_{row['type']}.json").read_text())
        assert sidecar["shape"] == list(loaded.shape) and sidecar["dataset"] == "toy"
        assert row["entropy"] == pytest.approx(recipes.label_statistics(loaded)["entropy"])
    assert json.loads((tmp_path / "toy_random.json").read_text())["seed"] == 48
    assert np.array_equal(banks["random"], recipes.random_labels(3))
    with pytest.raises(ValueError, match="generate speech first"):
        bank.write_label_bank(tmp_path, "toy", ["a", "b"], ["shuffle"])
