import json

import numpy as np
import pytest

from reprlab.papers.frequency.spectra import spectral_centroid


def test_smoke_profile_runs_every_frequency_notebook(smoke_workbook):
    filtering, gradients = smoke_workbook["frequency_filtering"], smoke_workbook["frequency_gradients"]
    assert filtering.metrics["train_run"] == str(gradients.run_dir)  # the filtering notebook read that run
    g = gradients.metrics
    spectrum = np.asarray(g["spectrum_mean"])
    assert spectrum.shape == (g["epochs"] + 1, 20) and g["bands"] == 20  # 28x28, centred bands
    np.testing.assert_allclose(np.load(gradients.run_dir / "gradient_spectrum_mean.npy"), spectrum)
    np.testing.assert_allclose(g["centroid_per_epoch"], spectral_centroid(spectrum))
    history = json.loads((gradients.run_dir / "history.json").read_text())
    assert all(r["spectrum_seconds"] > 0 for r in history)  # the hook times itself every epoch
    assert g["spectrum_hook_share"] == pytest.approx(sum(r["spectrum_seconds"] for r in history)
                                                     / sum(r["seconds"] for r in history))
    # the filtering notebook evaluates the final model of that run: on the original test set it
    # scores what the training run reported
    f = filtering.metrics
    assert f["original_accuracy"] == pytest.approx(g["test_accuracy"], abs=1e-6)
    assert set(f["low_accuracy"]) == set(f["high_accuracy"]) == {"4", "12"}
    assert (filtering.run_dir / "figures" / "filtered_examples.png").exists()

    hars = smoke_workbook["frequency_hars"]
    h = hars.metrics
    assert h["accuracy"]["baseline"]["original"]["0"] == pytest.approx(g["test_accuracy"], abs=1e-6)
    assert set(h["accuracy"]["HARS"]["high"]) == set(h["accuracy"]["baseline"]["high"]) == {"4", "12"}
    assert (hars.run_dir / "figures" / "hars_examples.png").exists()


def test_smoke_spectral_density_notebook(smoke_workbook):
    result = smoke_workbook["spectral_density"]
    m = result.metrics
    baseline = smoke_workbook["frequency_gradients"]
    assert m["baseline_run"] == str(baseline.run_dir)
    assert m["original_accuracy"]["f_baseline"] == pytest.approx(baseline.metrics["test_accuracy"], abs=1e-6)
    assert set(m["high_pass_accuracy"]) == {"f_scr", "f_baseline", "f_wcr"}
    high = m["high_pass_accuracy"]
    assert all(0 <= a <= 1 for model in high.values() for a in model.values()) and "6" in high["f_scr"]
    density = {k: np.asarray(v) for k, v in m["image_density"].items()}
    assert set(density) == {"original", "SCR", "WCR"} and all(len(d) == 20 for d in density.values())
    for figure in ("image_density", "learning_priority", "accuracy_vs_radius", "cdes_examples"):
        assert (result.run_dir / "figures" / f"{figure}.png").exists(), figure
