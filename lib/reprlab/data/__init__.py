"""Datasets by name, splits, label corruption, normalisation, augmentation and loaders that yield
:class:`~reprlab.training.batch.Batch` objects."""

from reprlab.data.datasets import DATASETS, DatasetInfo, ImageSet, dataset_info, load_dataset
from reprlab.data.loaders import DeviceLoader, FolderLoader, IndexedDataset, SeededLoader, make_loader
from reprlab.data.normalize import Normalizer
from reprlab.data.splits import Splits, corrupt_labels, keep_level, load_splits, train_val_split

__all__ = [
    "DATASETS",
    "DatasetInfo",
    "DeviceLoader",
    "FolderLoader",
    "ImageSet",
    "IndexedDataset",
    "Normalizer",
    "SeededLoader",
    "Splits",
    "corrupt_labels",
    "dataset_info",
    "keep_level",
    "load_dataset",
    "load_splits",
    "make_loader",
    "train_val_split",
]
