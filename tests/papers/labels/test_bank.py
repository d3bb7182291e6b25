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


@pytest.mark.parametrize(("damage", "message"), [
    ("garbage", "is not a readable label bank"),
    ("wrong shape", "holds a float32 bank of shape (3, 100); a random label bank for 3 classes is float32 of shape "
                    "(3, 64, 64)"),
    ("too few rows", "is float32 of shape (3, 64, 64)"),
    ("nan", "has NaN or infinite values in the labels of classes [1]"),
    ("other type", "is not the bank its sidecar describes"),
    ("no sidecar", "is not a readable label bank"),
])
def test_a_damaged_bank_is_refused_naming_its_file(tmp_path, damage, message):
    bank.write_label_bank(tmp_path, "toy", ["a", "b", "c"], ["random", "uniform"])
    path = tmp_path / "toy_random.npy"
    if damage == "garbage":
        path.write_bytes(b"not an array")
    elif damage == "wrong shape":  # as if a (K, 100) bank were saved under the random type's name
        bank.write_label(tmp_path, "toy", "random", np.zeros((3, 100), np.float32), seed=None, source="")
    elif damage == "too few rows":
        bank.write_label(tmp_path, "toy", "random", np.zeros((2, 64, 64), np.float32), seed=None, source="")
    elif damage == "nan":
        values = np.load(path)
        values[1, 0, 0] = np.nan
        np.save(path, values)
    elif damage == "other type":
        (tmp_path / "toy_uniform.npy").replace(path)
    else:
        (tmp_path / "toy_random.json").unlink()
    with pytest.raises(ValueError) as err:
        bank.load_label(tmp_path, "toy", "random", num_classes=3)
    assert str(path) in str(err.value) and message in str(err.value), str(err.value)
    assert "label_generation" in str(err.value)
