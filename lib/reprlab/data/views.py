"""Multi-view batches for self-supervised learning: ``n_img`` images x ``n_aug`` views, with
view 0 the identity (as MCR2's ``AugmentLoader``) and the others random augmentations done on
the device: random resized crop, horizontal flip, colour jitter, random grayscale."""

from collections.abc import Iterator

import torch

from reprlab.augment import color_jitter, random_resized_crop
from reprlab.data.datasets import ImageSet, dataset_info
from reprlab.data.loaders import SeededLoader
from reprlab.data.normalize import Normalizer
from reprlab.training.batch import Batch


class MultiViewLoader(SeededLoader):
    """Yields batches of n_img * n_aug views: images (n_img * n_aug, C, H, W) normalised, targets
    the images' classes, indices their dataset indices, and ``extras["pseudo_labels"]`` the
    image's slot 0..n_img-1 in the batch (every view of one image shares it).

    ``fixed_order=True`` reproduces upstream MCR2's sampler, which groups the same images in the
    same batches every epoch; by default every epoch draws a new permutation.
    """

    def __init__(self, data: ImageSet, n_img: int, n_aug: int, *, device: torch.device | str = "cpu", seed: int = 0,
                 fixed_order: bool = False, crop_scale: tuple[float, float] = (0.08, 1.0), jitter: float = 0.4) -> None:
        if n_aug < 1 or n_img < 1:
            raise ValueError(f"n_img={n_img!r} and n_aug={n_aug!r} must both be at least 1")
        info = dataset_info(data.name)
        self.data, self.n_img, self.n_aug, self.fixed_order = data, n_img, n_aug, fixed_order
        self.crop_scale, self.jitter, self.flip = crop_scale, jitter, info.flip
        self.device = torch.device(device)
        super().__init__(seed)
        self.normalize = Normalizer(info.mean, info.std, self.device)
        self.images = data.images.to(self.device)
        self.targets = data.targets.to(self.device)
        self.indices = data.indices.to(self.device)

    def __len__(self) -> int:
        return len(self.data) // self.n_img

    def __iter__(self) -> Iterator[Batch]:
        n = len(self.data)
        order = torch.arange(n) if self.fixed_order else torch.randperm(n, generator=self.generator)
        for start in range(0, len(self) * self.n_img, self.n_img):
            pos = order[start:start + self.n_img].to(self.device)
            originals = self.images[pos].float().div_(255)
            views = originals.repeat_interleave(self.n_aug, dim=0)
            augmented = torch.ones(len(views), dtype=torch.bool)
            augmented[::self.n_aug] = False  # view 0 of every image stays the identity
            aug = views[augmented.to(self.device)]
            aug = random_resized_crop(aug, self.generator, self.crop_scale, flip=self.flip)
            aug = color_jitter(aug, self.generator, self.jitter)
            views[augmented.to(self.device)] = aug
            pseudo = torch.arange(self.n_img, device=self.device).repeat_interleave(self.n_aug)
            yield Batch(self.normalize(views), self.targets[pos].repeat_interleave(self.n_aug),
                        self.indices[pos].repeat_interleave(self.n_aug), {"pseudo_labels": pseudo})
