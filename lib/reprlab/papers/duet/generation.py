"""Reconstruction and controlled generation, rebuilt from the DUET paper's text (upstream ships
neither: its ``images()`` returns a "decoded" entry that is never produced).

Reconstruction: a decoder is trained on the frozen representation of images transformed by
``equi_tx`` to reproduce those transformed images; its test pixel MSE measures how much of the
input (including the transformation) the representation keeps. Controlled generation (DUET only):
the group axis of the representation of an image transformed by parameter t is rolled by k bins
and decoded; if the axis is equivariant the decode resembles the image transformed by t + k / G
(for rotation at G = 8: k x 45°). It is scored against that target, beside the decode without the
roll. SimCLR and ESSL have no axis to roll.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from reprlab.augment.ops import center_crop, rotate
from reprlab.augment.stack import denormalize, normalize
from reprlab.data import ImageSet
from reprlab.evaluation import encode
from reprlab.io import save_torch
from reprlab.papers.duet.evaluation import transformed
from reprlab.papers.duet.models import SSLModel
from reprlab.papers.duet.training import DuetJob


class ConvDecoder(nn.Module):
    """(B, D) representation -> (B, C, S, S) normalised image: Linear to 4 x 4 x ``base`` x 4
    channels, then transposed convolutions doubling the side (BatchNorm, ReLU) to at least S,
    resized to S."""

    def __init__(self, in_dim: int, channels: int, size: int, base: int = 32) -> None:
        super().__init__()
        self.size, ups = size, max(1, int(np.ceil(np.log2(size / 4))))
        widths = [base * 2 ** max(0, 2 - i) for i in range(ups)]
        self.project = nn.Sequential(nn.Linear(in_dim, widths[0] * 16), nn.ReLU(inplace=True))
        layers: list[nn.Module] = []
        for i in range(ups):
            out = widths[i + 1] if i + 1 < ups else channels
            layers.append(nn.ConvTranspose2d(widths[i], out, 4, 2, 1))
            if i + 1 < ups:
                layers += [nn.BatchNorm2d(out), nn.ReLU(inplace=True)]
        self.decode = nn.Sequential(*layers)
        self.first = widths[0]

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        x = self.decode(self.project(z).view(len(z), self.first, 4, 4))
        return x if x.shape[-1] == self.size else F.interpolate(x, size=(self.size, self.size), mode="bilinear")


def train_decoder(z: torch.Tensor, targets: torch.Tensor, *, epochs: int = 20, batch_size: int = 256,
                  lr: float = 1e-3, seed: int = 0) -> ConvDecoder:
    """Fit a :class:`ConvDecoder` from representations z (N, D) to normalised images (N, C, S, S)
    by pixel MSE with Adam (CPU or z's device). Returns it in eval mode."""
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    decoder = ConvDecoder(z.shape[1], targets.shape[1], targets.shape[-1]).to(z.device)
    optimizer = torch.optim.Adam(decoder.parameters(), lr=lr)
    for _ in range(epochs):
        for idx in torch.randperm(len(z), generator=generator).split(batch_size):
            if len(idx) < 2:
                continue
            loss = F.mse_loss(decoder(z[idx]), targets[idx])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
    return decoder.eval()


@torch.inference_mode()
def decode(decoder: ConvDecoder, z: torch.Tensor, batch_size: int = 1024) -> torch.Tensor:
    """The decoder's normalised images (N, C, S, S) for representations z (N, D), in batches."""
    return torch.cat([decoder(z[i:i + batch_size]) for i in range(0, len(z), batch_size)])


def roll_groups(model: SSLModel, z: torch.Tensor, k: int) -> torch.Tensor:
    """z (N, D) with the group axis of the model's method rolled by ``k`` bins (bin g moves to g + k)."""
    return model.method.groups(z).roll(k, dims=1).reshape(len(z), -1)


@dataclass
class Generation:
    """Reconstruction and controlled-generation results of one model."""

    reconstruction_mse: float
    controlled_mse: float | None  # decode(roll(z, k)) vs the input transformed by k bins, mean over k
    unrolled_mse: float | None  # decode(z) vs the same targets: what the roll must beat
    per_shift: dict[int, tuple[float, float]]  # k -> (controlled, unrolled)
    examples: dict[str, np.ndarray]  # rows of the figure grid, (K, C, S, S) in [0, 1]
    columns: list[str]
    decoder: ConvDecoder


def save_decoder(decoder: ConvDecoder, path: str | Path) -> None:
    """Write the decoder's weights and shape (atomically) so that an explorer can load it back."""
    first = decoder.project[0]
    save_torch(path, {"in_dim": first.in_features, "channels": decoder.decode[-1].out_channels,
                      "size": decoder.size, "state_dict": decoder.state_dict()})


def load_decoder(path: str | Path) -> ConvDecoder:
    """A decoder written by :func:`save_decoder`, in eval mode on the CPU."""
    saved = torch.load(path, map_location="cpu", weights_only=True)
    decoder = ConvDecoder(saved["in_dim"], saved["channels"], saved["size"])
    decoder.load_state_dict(saved["state_dict"])
    return decoder.eval()


def shifted_targets(pixels: torch.Tensor, degrees: torch.Tensor, k: int, bins: int) -> torch.Tensor:
    """The clean centre crops ``pixels`` rotated by their own angle plus k bins (k 360 / G degrees)."""
    return rotate(pixels, degrees + k * 360.0 / bins)


def evaluate_generation(model: SSLModel, job: DuetJob, train: ImageSet, test: ImageSet, *, epochs: int = 20,
                        seed: int = 0, examples: int = 4) -> Generation:
    """Train a decoder on ``train`` (transformed by ``job.equi_tx``) and score it on ``test``:
    reconstruction MSE for every model; for a model with a group axis (DUET) and ``equi_tx="rot"``
    also controlled generation (each shift k = 1 .. G - 1). ``examples`` test images fill the figure grid."""
    views = {"image_size": job.image_size, "upstream_resize": job.upstream_resize}
    moved_train = transformed(train, job.equi_tx, seed + 1, **views)
    z_train = encode(model.encoder, moved_train.views)
    decoder = train_decoder(z_train, moved_train.views, epochs=epochs, seed=seed)
    moved_test = transformed(test, job.equi_tx, seed + 2, **views)
    z_test = encode(model.encoder, moved_test.views)
    decoded = decode(decoder, z_test)
    reconstruction = float(F.mse_loss(decoded, moved_test.views))
    if not model.method.group_axis or job.equi_tx != "rot":
        rows = {"input\n(transformed)": moved_test.pixels[:examples].numpy(),
                "decoded": denormalize(decoded[:examples]).numpy()}
        return Generation(reconstruction, None, None, {}, rows, [f"image {i}" for i in range(examples)], decoder)
    clean = center_crop(test.images.float() / 255, job.image_size)
    degrees = moved_test.t * 360 - 180  # rot: t = (deg + 180) / 360
    bins = model.method.bins
    unrolled = decoded
    per_shift = {}
    for k in range(1, bins):
        target = normalize(shifted_targets(clean, degrees, k, bins))
        controlled = float(F.mse_loss(decode(decoder, roll_groups(model, z_test, k)), target))
        per_shift[k] = (controlled, float(F.mse_loss(unrolled, target)))
    first = slice(0, 1)
    shifts = range(bins)
    rows = {
        "target:\ninput rotated\nk bins": np.concatenate(
            [shifted_targets(clean[first], degrees[first], k, bins).numpy() for k in shifts]),
        "decode,\ngroup axis\nrolled k": np.concatenate(
            [denormalize(decode(decoder, roll_groups(model, z_test[first], k))).numpy() for k in shifts]),
        "decode,\nno roll": np.repeat(denormalize(decoded[first]).numpy(), bins, axis=0),
    }
    return Generation(reconstruction, float(np.mean([c for c, _ in per_shift.values()])),
                      float(np.mean([u for _, u in per_shift.values()])), per_shift, rows,
                      [f"k={k} ({k * 360 // bins}°)" for k in shifts], decoder)
