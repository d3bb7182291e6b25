import json

import numpy as np
import pytest
import torch

from reprlab import labels as lb

# label statistics of the stored upstream files (spec §1): (mean pairwise distance, entropy)
UPSTREAM_STATS = {
    ("uniform", 10): (0.407, 0.00), ("uniform", 100): (0.340, 0.00),
    ("random", 10): (0.334, 12.00), ("random", 100): (0.334, 12.00),
    ("lowdim", 10): (0.341, 3.32),
    ("composite", 10): (0.244, 12.00), ("composite", 100): (0.256, 12.00),
}
RECIPES = {"uniform": lb.uniform_labels, "random": lb.random_labels, "lowdim": lb.lowdim_labels,
           "composite": lb.composite_labels}


@pytest.mark.parametrize(("kind", "k"), list(UPSTREAM_STATS))
def test_recipes_reproduce_the_upstream_label_statistics(kind, k):
    bank = RECIPES[kind](k)
    stats = lb.label_statistics(bank)
    distance, entropy = UPSTREAM_STATS[(kind, k)]
    assert stats["distance"] == pytest.approx(distance, abs=0.0015)
    assert stats["entropy"] == pytest.approx(entropy, abs=0.005)


def test_shapes_ranges_and_seeds():
    uniform = lb.uniform_labels(10)
    assert uniform.shape == (10, 64, 64) and uniform.dtype == np.float32
    assert uniform[:, 0, 0].tolist() == pytest.approx([i * 80 / 9 for i in range(10)])
    random10, random100 = lb.random_labels(10), lb.random_labels(100)
    assert np.array_equal(random10, random100[:10])  # CIFAR-10 = CIFAR-100[:10]
    assert 0 <= random100.min() and random100.max() <= 80  # [0, 80) in float64, rounded to float32
    lowdim = lb.lowdim_labels(10)
    assert lowdim.shape == (10, 10) and np.array_equal(lowdim[0], random10[0, 0, :10])  # the same stream
    assert lb.lowdim_labels(100).shape == (100, 100)
    composite = lb.composite_labels(12)
    assert composite.shape == (12, 64, 64) and 0 <= composite.min() < 1 and composite.max() <= 80 + 1e-4
    assert np.array_equal(composite[:10], lb.composite_labels(10))


def test_shuffle_permutes_time_columns_and_never_keeps_the_order():
    speech = np.random.default_rng(0).normal(size=(5, 64, 64)).astype(np.float32)
    shuffled = lb.shuffle_labels(speech)
    for original, permuted in zip(speech, shuffled, strict=True):
        assert not np.array_equal(original, permuted)
        assert sorted(map(tuple, permuted.T)) == sorted(map(tuple, original.T))
    assert np.array_equal(shuffled, lb.shuffle_labels(speech))


def test_nearest_label_decoding():
    bank = torch.tensor(lb.random_labels(10))
    noisy = bank[[3, 7, 0]] + torch.randn(3, 64, 64) * 5
    assert lb.nearest_label(noisy, bank).tolist() == [3, 7, 0]


def test_mel_pipeline_puts_a_tone_in_its_mel_bin(tmp_path):
    import librosa
    import soundfile

    rate, freq = 22050, 1000.0
    t = np.arange(int(0.8 * rate)) / rate
    soundfile.write(tmp_path / "tone.wav", 0.5 * np.sin(2 * np.pi * freq * t), rate)
    mel = lb.mel_label(tmp_path / "tone.wav")
    assert mel.shape == (64, 64) and mel.max() == pytest.approx(0.0, abs=0.5) and mel.min() >= -80
    expected = np.argmin(np.abs(librosa.mel_frequencies(n_mels=64, fmax=8000) - freq))
    assert abs(int(mel.mean(1).argmax()) - expected) <= 1


@pytest.mark.skipif(__import__("shutil").which("espeak-ng") is None, reason="apt-get install espeak-ng")
def test_espeak_speech_labels_are_distinct_spectrograms(tmp_path):
    bank, source = lb.speech_labels(["airplane", "T-shirt/top"], workdir=tmp_path)
    assert bank.shape == (2, 64, 64) and source == "espeak-ng en-us"
    assert bank.min() >= -80 and bank.max() <= 0 and not np.allclose(bank[0], bank[1])


def test_text_labels_have_the_upstream_shapes():
    bert, source = lb.bert_labels(["cat", "aquarium_fish"])
    assert bert.shape == (2, 48, 48) and bert.min() == 0 and bert.max() == pytest.approx(80)
    assert "MiniLM" in source or "bert-base" in source
    glove, source = lb.glove_labels(["cat", "dog", "truck"])
    assert glove.shape == (3, 50) and "stand-in" in source
    near = np.linalg.norm(glove[0] - glove[1]) < np.linalg.norm(glove[0] - glove[2])
    assert near  # semantic: cat is closer to dog than to truck


def test_glove_file_reader_averages_the_words_of_a_name(tmp_path):
    path = tmp_path / "glove.txt"
    path.write_text("sweet 1 0\npepper 0 1\ncat 2 2\n")
    vectors, _ = lb.glove_labels(["sweet_pepper", "cat"], glove_file=path, dim=2)
    assert vectors.tolist() == [[0.5, 0.5], [2.0, 2.0]]
    first, _ = lb.glove_labels(["sweet_pepper"], glove_file=path, first_word_only=True)
    assert first.tolist() == [[1.0, 0.0]]



def test_label_bank_writes_every_type_with_its_sidecar_and_statistics(tmp_path):
    banks, rows = lb.write_label_bank(tmp_path, "toy", ["a", "b", "c"], ["uniform", "random", "lowdim"])
    assert [r["type"] for r in rows] == ["uniform", "random", "lowdim"]
    for row in rows:
        bank = lb.load_label(tmp_path, "toy", row["type"])
        assert np.array_equal(bank, banks[row["type"]])
        sidecar = json.loads((tmp_path / f"toy_{row['type']}.json").read_text())
        assert sidecar["shape"] == list(bank.shape) and sidecar["dataset"] == "toy"
        assert row["entropy"] == pytest.approx(lb.label_statistics(bank)["entropy"])
    assert json.loads((tmp_path / "toy_random.json").read_text())["seed"] == 48
    assert np.array_equal(banks["random"], lb.random_labels(3))
    with pytest.raises(ValueError, match="generate speech first"):
        lb.write_label_bank(tmp_path, "toy", ["a", "b"], ["shuffle"])
