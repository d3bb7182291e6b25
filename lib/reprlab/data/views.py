"""Multi-view batches for self-supervised learning: ``n_img`` images x ``n_aug`` views, with
view 0 the identity (as MCR2's ``AugmentLoader``) and the others random augmentations done on
the device (random resized crop, horizontal flip, colour jitter, random grayscale); and two
views with recorded transformation parameters (:class:`TwoViewLoader`, SimCLR / ESSL / DUET)."""

from collections.abc import Callable, Iterator

import torch

from reprlab import rehearsal
from reprlab.augment import AugStack, color_jitter, ops, random_resized_crop
from reprlab.data.datasets import ImageSet, dataset_info
from reprlab.data.loaders import DeviceLoader, SeededLoader
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
        caps = rehearsal.caps()  # a rehearsal caps the steps; n_img is the loss's class count
        self.paper_len = len(self.data) // self.n_img
        self.max_batches = caps.steps_per_epoch if caps else 0

    def __len__(self) -> int:
        return min(self.paper_len, self.max_batches) if self.max_batches else self.paper_len

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


Branch = Callable[[torch.Tensor, torch.Generator], dict[str, torch.Tensor]]


def resize_set(data: ImageSet, size: int) -> ImageSet:
    """The same set with its uint8 images resized (bilinear, antialiased) to ``size`` x ``size``,
    once, as upstream DUET's ``Resize`` preprocessing."""
    if data.images.shape[-1] == size and data.images.shape[-2] == size:
        return data
    resized = ops.resize(data.images.float() / 255, size).mul_(255).round_().clamp_(0, 255).to(torch.uint8)
    return ImageSet(data.name, resized, data.targets, data.classes, data.indices)


class TwoViewLoader(DeviceLoader):
    """Two views of every image with their transformation parameters (apple/ml-duet).

    Yields :class:`Batch` es with images = view 1, extras ``view2``, ``params1`` and ``params2``
    (``{code: {name: (B,) tensor}}`` from :class:`AugStack`), and whatever ``branch(pixels,
    generator)`` adds (ESSL's third view). Training: both views from ``stack``. Evaluation
    (``train=False``): view 1 is the test stack (centre crop, clean, ``params1`` empty) and view 2
    is still augmented, as upstream, by the same draws at every evaluation (the generator restarts
    from ``seed``: test losses compare across epochs and across a resume). Shuffling and DDP
    sharding as :class:`DeviceLoader`, every example every epoch; ``max_batches`` stops an epoch
    early (upstream's ``debug_steps``)."""

    def __init__(self, data: ImageSet, batch_size: int, stack: AugStack, *, train: bool,
                 device: torch.device | str = "cpu", seed: int = 0, branch: Branch | None = None,
                 max_batches: int = 0, rank: int = 0, world_size: int = 1) -> None:
        super().__init__(data, batch_size, train=train, device=device, seed=seed, rank=rank, world_size=world_size,
                         drop_last=False, mean=(0.5,), std=(1.0,))
        self.stack, self.branch, self.seed = stack, branch, seed
        if max_batches:  # the smaller of upstream's debug_steps and a rehearsal's cap
            self.max_batches = min(self.max_batches, max_batches) if self.max_batches else max_batches

    def __iter__(self) -> Iterator[Batch]:
        if not self.train:
            self.generator.manual_seed(self.seed)
        order = self._order()
        for start, end in self._batch_bounds():
            pos = order[start:end]
            pixels = self.images[pos].float().div_(255)
            if self.train:
                view1, params1 = self.stack(pixels, self.generator)
            else:
                view1, params1 = self.stack.test(pixels), {}
            view2, params2 = self.stack(pixels, self.generator)
            extras = {"view2": view2, "params1": params1, "params2": params2}
            if self.branch is not None:
                extras.update(self.branch(pixels, self.generator))
            yield Batch(view1, self.targets[pos], self.indices[pos], extras)
