"""Loaders yielding :class:`~reprlab.training.batch.Batch` objects (images, targets, indices).

:class:`DeviceLoader` keeps a whole :class:`ImageSet` as one uint8 tensor on the device and does
the standard augmentation (zero-padded random crop, horizontal flip) per sample on the device,
so a GPU is not starved by Python workers. :class:`FolderLoader` is the standard torchvision
``DataLoader`` path for folder datasets that do not fit in memory.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import torch
import torchvision
from torch.utils.data import DataLoader, Dataset

from reprlab import rehearsal
from reprlab.augment import random_crop_flip
from reprlab.data.datasets import DATASETS, ImageSet, dataset_info
from reprlab.data.normalize import Normalizer
from reprlab.training.batch import Batch


class SeededLoader:
    """Base of every loader: its randomness (order, augmentation) comes from one CPU generator
    seeded with ``seed``, whose state is what a checkpoint stores for an exact resume."""

    def __init__(self, seed: int) -> None:
        self.generator = torch.Generator().manual_seed(seed)

    def state_dict(self) -> dict[str, Any]:
        return {"generator": self.generator.get_state()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.generator.set_state(state["generator"])


class DeviceLoader(SeededLoader):
    """Batches of a device-resident :class:`ImageSet`.

    Yields batches of images (B, C, H, W) float32 normalised, targets (B,) int64, indices (B,) int64.
    ``train=True`` shuffles each epoch, augments, and (unless ``drop_last=False``) drops the last
    incomplete batch. With ``drop_last=False`` every example is in every epoch; a last batch of one
    example joins the one before it (BatchNorm cannot train on a batch of one).
    Under DDP each of ``world_size`` ranks gets its own disjoint share of every epoch's
    permutation (the same ``seed`` on every rank keeps the permutations identical).
    """

    def __init__(self, data: ImageSet, batch_size: int, *, train: bool, device: torch.device | str = "cpu",
                 mean: tuple[float, ...] | None = None, std: tuple[float, ...] | None = None,
                 crop_padding: int | None = None, flip: bool | None = None, seed: int = 0,
                 rank: int = 0, world_size: int = 1, channels_last: bool = False,
                 drop_last: bool | None = None) -> None:
        info = DATASETS.get(data.name)
        if info is None and (mean is None or std is None):
            raise ValueError(f"ImageSet {data.name!r} is no registered dataset; pass mean and std")
        if crop_padding is None:
            crop_padding = info.crop_padding if info else 0
        if flip is None:
            flip = info.flip if info else False
        super().__init__(seed)
        self.max_batches = 0  # every batch of an epoch (a rehearsal caps it, see _apply_rehearsal_caps)
        self.normalize = Normalizer(mean if mean is not None else info.mean, std if std is not None else info.std,
                                    device)
        self.crop_padding, self.flip = (crop_padding, flip) if train else (0, False)
        self.data, self.batch_size, self.train = data, batch_size, train
        self.drop_last = train if drop_last is None else drop_last
        self.device, self.rank, self.world_size = torch.device(device), rank, world_size
        self.channels_last = channels_last
        self.images = data.images.to(self.device)
        self.targets = data.targets.to(self.device)
        self.indices = data.indices.to(self.device)
        self._apply_rehearsal_caps()

    def _apply_rehearsal_caps(self) -> None:
        """In a rehearsal (:mod:`reprlab.rehearsal`): batches of at most its ``max_batch_size``,
        and at most ``steps_per_epoch`` (training) or ``eval_batches`` batches per pass; what the
        uncapped loader would do stays in ``paper_batch_size`` and ``paper_len``."""
        caps = rehearsal.caps()
        if caps is not None:
            self.paper_batch_size, self.paper_len = self.batch_size, len(self)
            self.batch_size = min(self.batch_size, caps.max_batch_size)
            self.max_batches = caps.steps_per_epoch if self.train else caps.eval_batches

    def __len__(self) -> int:
        return len(self._batch_bounds())

    def _batch_bounds(self) -> list[tuple[int, int]]:
        """(start, end) of every batch in this rank's share of an epoch."""
        n = len(self.data) // self.world_size if self.train else -(-len(self.data) // self.world_size)
        if self.drop_last:
            bounds = [(s, s + self.batch_size) for s in range(0, n - self.batch_size + 1, self.batch_size)]
            return bounds[:self.max_batches] if self.max_batches else bounds
        bounds = [(s, min(s + self.batch_size, n)) for s in range(0, n, self.batch_size)]
        if self.train and len(bounds) > 1 and bounds[-1][1] - bounds[-1][0] == 1:
            bounds[-2:] = [(bounds[-2][0], n)]
        return bounds[:self.max_batches] if self.max_batches else bounds

    def _order(self) -> torch.Tensor:
        n = len(self.data)
        order = torch.randperm(n, generator=self.generator) if self.train else torch.arange(n)
        per_rank = n // self.world_size if self.train else -(-n // self.world_size)
        return order[self.rank * per_rank:(self.rank + 1) * per_rank].to(self.device)

    def __iter__(self) -> Iterator[Batch]:
        order = self._order()
        for start, end in self._batch_bounds():
            pos = order[start:end]
            images = self.images[pos].float().div_(255)
            if self.train:
                images = random_crop_flip(images, self.crop_padding, self.flip, self.generator)
            images = self.normalize(images)
            if self.channels_last:
                images = images.contiguous(memory_format=torch.channels_last)
            yield Batch(images, self.targets[pos], self.indices[pos])


class IndexedDataset(Dataset):
    """Wrap a map-style dataset returning ``(image, target)`` to return ``(image, target, index)``."""

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset

    def __len__(self) -> int:
        return len(self.dataset)  # type: ignore[arg-type]

    def __getitem__(self, index: int) -> tuple[Any, Any, int]:
        image, target = self.dataset[index]
        return image, target, index


class FolderLoader(SeededLoader):
    """The standard ``DataLoader`` path for ``root/<class>/<image>`` folders.

    Images are resized to ``image_size`` and, for training, augmented with torchvision's
    ``RandomCrop`` (zero padding) and ``RandomHorizontalFlip``. Same batch contract and
    ``state_dict`` as :class:`DeviceLoader`.
    """

    def __init__(self, root: str | Path, batch_size: int, *, train: bool, image_size: int = 32,
                 device: torch.device | str = "cpu", seed: int = 0, num_workers: int = 0,
                 rank: int = 0, world_size: int = 1, channels_last: bool = False) -> None:
        info = dataset_info("imagefolder")
        t = torchvision.transforms
        steps: list[Any] = [t.Resize((image_size, image_size))]
        if train:
            steps += [t.RandomCrop(image_size, padding=info.crop_padding), t.RandomHorizontalFlip()]
        steps += [t.ToTensor(), t.Normalize(info.mean, info.std)]
        self.folder = torchvision.datasets.ImageFolder(str(root), transform=t.Compose(steps))
        self.classes = self.folder.classes
        super().__init__(seed)
        self.device, self.channels_last = torch.device(device), channels_last
        sampler = None
        if world_size > 1:
            sampler = torch.utils.data.distributed.DistributedSampler(
                self.folder, world_size, rank, shuffle=train, seed=seed, drop_last=train)
        self.loader = DataLoader(IndexedDataset(self.folder), batch_size=batch_size,
                                 shuffle=train and sampler is None, sampler=sampler, drop_last=train,
                                 num_workers=num_workers, generator=self.generator,
                                 pin_memory=self.device.type == "cuda")

    def __len__(self) -> int:
        return len(self.loader)

    def __iter__(self) -> Iterator[Batch]:
        for images, targets, indices in self.loader:
            images = images.to(self.device, non_blocking=True)
            if self.channels_last:
                images = images.contiguous(memory_format=torch.channels_last)
            yield Batch(images, targets.to(self.device), indices.to(self.device))


def make_loader(data: ImageSet, batch_size: int, *, train: bool, device: torch.device | str = "cpu",
                seed: int = 0, channels_last: bool = False, drop_last: bool | None = None) -> DeviceLoader:
    """A :class:`DeviceLoader` with the dataset's standard normalisation and augmentation,
    sharded by rank when ``torch.distributed`` is initialised."""
    from reprlab.training.distributed import rank_and_world_size

    rank, world_size = rank_and_world_size()
    return DeviceLoader(data, batch_size, train=train, device=device, seed=seed, rank=rank,
                        world_size=world_size if train else 1, channels_last=channels_last, drop_last=drop_last)
