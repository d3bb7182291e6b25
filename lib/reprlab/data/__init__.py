"""Datasets by name, splits, label corruption and loaders that yield ``(image, target, index)``."""

from reprlab.data.datasets import DATASETS, DatasetInfo, ImageSet, dataset_info, load_dataset
from reprlab.data.loaders import DeviceLoader, FolderLoader, IndexedDataset, make_loader
from reprlab.data.splits import Splits, corrupt_labels, keep_level, load_splits, train_val_split

__all__ = [
    "DATASETS",
    "DatasetInfo",
    "DeviceLoader",
    "FolderLoader",
    "ImageSet",
    "IndexedDataset",
    "Splits",
    "corrupt_labels",
    "dataset_info",
    "keep_level",
    "load_dataset",
    "load_splits",
    "make_loader",
    "train_val_split",
]
