"""The label bank on disk: every label type of a class list, generated and written as
``<dataset>_<type>.npy`` with a JSON sidecar, and read back."""

import hashlib
from pathlib import Path

import numpy as np

from reprlab.io import read_json, save_npy, write_json
from reprlab.papers.labels.recipes import (
    composite_labels,
    label_statistics,
    lowdim_labels,
    random_labels,
    shuffle_labels,
    uniform_labels,
)
from reprlab.papers.labels.speech import speech_labels
from reprlab.papers.labels.text import bert_labels, glove_labels

LABEL_TYPES = ("speech", "shuffle", "uniform", "composite", "random", "lowdim", "bert", "glove")


def write_label(out_dir: str | Path, dataset: str, kind: str, bank: np.ndarray, *, seed: int | None,
                source: str) -> Path:
    """Write ``<dataset>_<kind>.npy`` and a JSON sidecar (type, dataset, shape, the SHA-256 of the
    float32 values, seed, source)."""
    out_dir = Path(out_dir)
    values = np.ascontiguousarray(bank, np.float32)
    path = save_npy(label_path(out_dir, dataset, kind), values)
    write_json(out_dir / f"{dataset}_{kind}.json", {"type": kind, "dataset": dataset, "shape": list(bank.shape),
                                                    "sha256": bank_digest(values), "seed": seed, "source": source})
    return path


def bank_digest(bank: np.ndarray) -> str:
    """SHA-256 of a bank's float32 values (its content, whatever file holds it)."""
    return hashlib.sha256(np.ascontiguousarray(bank, np.float32).tobytes()).hexdigest()


#: Each label type's shape per class (``"K"``: the number of classes), as :func:`generate_label` makes it.
LABEL_SHAPES: dict[str, tuple[int | str, ...]] = {
    "speech": (64, 64), "shuffle": (64, 64), "uniform": (64, 64), "composite": (64, 64), "random": (64, 64),
    "lowdim": ("K",), "bert": (48, 48), "glove": (50,)}


def label_path(labels_dir: str | Path, dataset: str, kind: str) -> Path:
    """Where the bank of label type ``kind`` for ``dataset`` lives: ``<labels_dir>/<dataset>_<kind>.npy``."""
    return Path(labels_dir) / f"{dataset}_{kind}.npy"


def load_label(labels_dir: str | Path, dataset: str, kind: str, num_classes: int | None = None) -> np.ndarray:
    """Read a label bank written by :func:`write_label`, checked against its JSON sidecar (type,
    dataset, shape), its type's shape (:data:`LABEL_SHAPES`, with ``num_classes`` rows when given),
    its dtype (float32) and its values (finite). Raises ``FileNotFoundError`` or ``ValueError``
    naming the file and what to do."""
    path = label_path(labels_dir, dataset, kind)
    remake = (f"generate it again with the label_generation notebook (`python -m reprlab run label_generation "
              f"--profile <profile> -p dataset={dataset} --rerun`)")
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: {remake}")
    try:
        bank = np.load(path, allow_pickle=False)
        sidecar = read_json(path.with_suffix(".json"))
        if not isinstance(sidecar, dict):
            raise ValueError("the sidecar is not a JSON object")
    except (ValueError, OSError, EOFError) as err:  # a damaged array or sidecar, or no sidecar
        raise ValueError(f"{path} (or its sidecar {path.with_suffix('.json').name}) is not a readable label bank "
                         f"({type(err).__name__}: {err}); {remake}") from None
    rows = num_classes if num_classes is not None else len(bank)
    expected = (rows, *(rows if d == "K" else d for d in LABEL_SHAPES.get(kind, bank.shape[1:])))
    if (sidecar.get("type"), sidecar.get("dataset"), sidecar.get("shape")) != (kind, dataset, list(bank.shape)):
        raise ValueError(f"{path} does not match its sidecar ({sidecar.get('type')!r} for {sidecar.get('dataset')!r},"
                         f" shape {sidecar.get('shape')}; the file is {kind!r} for {dataset!r}, shape "
                         f"{list(bank.shape)}): {remake}")
    if bank.shape != expected or bank.dtype != np.float32:
        raise ValueError(f"{path} holds a {bank.dtype} bank of shape {bank.shape}; a {kind} label bank for "
                         f"{rows} classes is float32 of shape {expected}: {remake}")
    bad = np.flatnonzero(~np.isfinite(bank.reshape(len(bank), -1)).all(axis=1))
    if len(bad):
        raise ValueError(f"{path} has NaN or infinite values in the labels of classes {bad.tolist()}: {remake}")
    if sidecar.get("sha256", bank_digest(bank)) != bank_digest(bank):
        raise ValueError(f"{path} is not the bank its sidecar describes (its values have changed since it was "
                         f"written): {remake}")
    return bank


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
