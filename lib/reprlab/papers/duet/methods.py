"""Self-supervised methods as small classes (solo-learn's ``BaseMethod``, cut to what the DUET
paper compares): a method says which heads it puts on the encoder's representation z (B, D),
what its forward pass adds to the outputs, which extra view its loader makes, and its loss terms.
The encoder, the online probe, the training loop, the frozen-feature probes, kNN and
reconstruction are the same for every method (:class:`~reprlab.papers.duet.models.SSLModel`,
``training``, ``evaluation``, ``generation``), and ask the method, never its name.

A subclass that sets ``name`` is registered (:data:`METHODS`): it becomes a value of
``duet_train``'s ``model`` parameter. :meth:`SSLMethod.from_job` reads its settings from a
``DuetJob`` (or any object with the same fields).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import torch
import torch.nn as nn
import torch.nn.functional as F

from reprlab.augment import equivariance_t
from reprlab.losses import jsd, nt_xent, structure_target
from reprlab.models import layernorm_predictor, simclr_projection_head
from reprlab.papers.duet.essl import ESSL_OUTPUTS, check_essl_target, essl_branch
from reprlab.training import Batch

#: ``model`` name -> method class, in the order they were defined
METHODS: dict[str, type["SSLMethod"]] = {}
GROUP_POOLINGS = ("mean", "sum")
Outputs = dict[str, torch.Tensor]


@dataclass
class SSLMethod:
    """A method: its heads, outputs and loss. The base projects the whole z (SimCLR's head) and
    has no loss of its own; ``group_axis`` is True for a method that reads z as a (G, C) matrix
    (then it provides ``bins``, :meth:`groups` and :meth:`group_probabilities`)."""

    name: ClassVar[str] = ""
    group_axis: ClassVar[bool] = False
    proj_hidden: int = 2048
    proj_dim: int = 128

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "name" in cls.__dict__ and cls.name:
            METHODS[cls.name] = cls

    @classmethod
    def from_job(cls, job: Any) -> "SSLMethod":
        """The method with the job's settings (the base reads ``proj_hidden`` and ``proj_dim``)."""
        return cls(proj_hidden=job.proj_hidden, proj_dim=job.proj_dim)

    @classmethod
    def check(cls, job: Any, width: int) -> None:
        """Raise ``ValueError`` naming the parameter for a setting of ``job`` this method cannot
        train with (``width``: the representation's D)."""

    @classmethod
    def contrastive_tx(cls, tx: tuple[str, ...] | list[str], equi_tx: str) -> tuple[str, ...]:
        """The transformations of the two contrastive views, given ``tx`` and ``equi_tx``."""
        return tuple(tx)

    def heads(self, width: int) -> dict[str, nn.Module]:
        """``{attribute: module}`` put on the model (the names are the checkpoint's keys)."""
        return {"head": simclr_projection_head(width, self.proj_hidden, self.proj_dim)}

    def outputs(self, model: nn.Module, z: torch.Tensor, extra_images: torch.Tensor | None) -> Outputs:
        """What the forward pass adds to ``{"z", "probe"}``: here ``projection`` (N, proj_dim)."""
        return {"projection": model.head(z)}

    def branch(self, job: Any) -> Callable[[torch.Tensor, torch.Generator], Outputs] | None:
        """The loader's extra view (``extra_images`` of :meth:`outputs`), or None."""
        return None

    def loss(self, out: Outputs, batch: Batch, training: bool) -> tuple[torch.Tensor, Outputs]:
        """(the method's loss, its terms detached for the history) from the forward's outputs."""
        raise NotImplementedError(f"{type(self).__name__} defines no loss")


@dataclass
class SimCLR(SSLMethod):
    """NT-Xent between the projections of the two views (temperature τ)."""

    name: ClassVar[str] = "simclr"
    temperature: float = 0.2

    @classmethod
    def from_job(cls, job: Any) -> "SimCLR":
        return cls(proj_hidden=job.proj_hidden, proj_dim=job.proj_dim, temperature=job.temperature)

    def loss(self, out: Outputs, batch: Batch, training: bool) -> tuple[torch.Tensor, Outputs]:
        b = len(batch)
        projection = out["projection"].float()
        contrastive = nt_xent(projection[:b], projection[b:], self.temperature, gather=training)
        return contrastive, {"nt_xent": contrastive.detach()}


def check_bins(bins: int, width: int) -> None:
    """Raise ``ValueError`` naming ``duet_bins`` unless G >= 2 divides the representation width."""
    if bins < 2 or width % bins:
        raise ValueError(f"duet_bins={bins} must be at least 2 and divide the representation width {width} "
                         f"(allowed: {', '.join(str(g) for g in range(2, width + 1) if width % g == 0)})")


@dataclass
class Duet(SimCLR):
    """DUET: z read as (G, C), G-major (bin g holds z[g C:(g + 1) C], upstream's
    ``view(B, K=1, G, C)``). The content (sum over G, (B, C)) goes to the projection head; the
    group logits (mean over C, or ``group_pooling="sum"``: the paper's "sum of the rows", 64 times
    the mean at upstream's size, spec bug 9) are pulled towards the target histogram of the
    recorded parameter t of ``equi_tx`` by λ · JSD (on the test set: view 2 only, as upstream)."""

    name: ClassVar[str] = "duet"
    group_axis: ClassVar[bool] = True
    bins: int = 8
    group_pooling: str = "mean"
    equi_tx: str = "rot"
    target: str = "vm"
    lam: float = 1000.0

    def __post_init__(self) -> None:
        if self.group_pooling not in GROUP_POOLINGS:
            raise ValueError(f"group_pooling={self.group_pooling!r}; allowed values: {', '.join(GROUP_POOLINGS)}")

    @classmethod
    def from_job(cls, job: Any) -> "Duet":
        return cls(proj_hidden=job.proj_hidden, proj_dim=job.proj_dim, temperature=job.temperature,
                   bins=job.duet_bins, group_pooling=job.group_pooling, equi_tx=job.equi_tx,
                   target=job.duet_target, lam=job.duet_lambda)

    @classmethod
    def check(cls, job: Any, width: int) -> None:
        if job.equi_tx not in job.tx:
            raise ValueError(f"equi_tx={job.equi_tx!r} must be one of tx={list(job.tx)} for DUET (the structure "
                             "loss learns a transformation the views apply)")
        check_bins(job.duet_bins, width)

    def heads(self, width: int) -> dict[str, nn.Module]:
        check_bins(self.bins, width)
        return {"head": simclr_projection_head(width // self.bins, self.proj_hidden, self.proj_dim)}

    def groups(self, z: torch.Tensor) -> torch.Tensor:
        """The 2D view of z: (B, D) -> (B, G, C), G-major."""
        return z.view(len(z), self.bins, -1)

    def content_and_group_logits(self, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(content: sum over G, (B, C); group logits: mean or sum over C, (B, G))."""
        grid = self.groups(z)
        return grid.sum(1), grid.mean(2) if self.group_pooling == "mean" else grid.sum(2)

    def group_probabilities(self, z: torch.Tensor) -> torch.Tensor:
        """softmax over the G bins of the group logits of z: (N, G)."""
        return torch.softmax(self.content_and_group_logits(z)[1].float(), dim=1)

    def outputs(self, model: nn.Module, z: torch.Tensor, extra_images: torch.Tensor | None) -> Outputs:
        content, group_logits = self.content_and_group_logits(z)
        return {"projection": model.head(content), "group_logits": group_logits}

    def loss(self, out: Outputs, batch: Batch, training: bool) -> tuple[torch.Tensor, Outputs]:
        loss, terms = super().loss(out, batch, training)
        b = len(batch)
        probs = torch.softmax(out["group_logits"].float(), dim=1)
        views = ("params1", "params2") if training else ("params2",)  # test: view 2 only, as upstream
        t = torch.cat([equivariance_t(self.equi_tx, batch.extras[v][self.equi_tx]) for v in views])
        rows = probs if training else probs[b:]
        divergence = jsd(rows, structure_target(t.to(rows.device), self.bins, self.target))
        return loss + self.lam * divergence, {**terms, "jsd": divergence.detach()}


@dataclass
class ESSL(SimCLR):
    """ESSL (Dangovski et al., 2022): SimCLR on views without ``equi_tx``, plus λ · the
    cross-entropy (or MSE, for a regressed parameter) of a LayerNorm predictor that recovers
    ``equi_tx`` from the encoder's representation of a third, half-resolution view."""

    name: ClassVar[str] = "essl"
    equi_tx: str = "rot"
    lam: float = 0.4

    @classmethod
    def from_job(cls, job: Any) -> "ESSL":
        return cls(proj_hidden=job.proj_hidden, proj_dim=job.proj_dim, temperature=job.temperature,
                   equi_tx=job.equi_tx, lam=job.essl_lambda)

    @classmethod
    def check(cls, job: Any, width: int) -> None:
        check_essl_target(job.equi_tx)
        if job.equi_tx in job.tx:
            raise ValueError(f"equi_tx={job.equi_tx!r} is in tx={list(job.tx)}: ESSL's contrastive views must "
                             f"not be made invariant to it; use tx={list(cls.contrastive_tx(job.tx, job.equi_tx))}")

    @classmethod
    def contrastive_tx(cls, tx: tuple[str, ...] | list[str], equi_tx: str) -> tuple[str, ...]:
        """``tx`` without ``equi_tx``, in the user's order (upstream removes it with a ``set()``,
        which can reorder the stack: spec bug 6)."""
        return tuple(code for code in tx if code != equi_tx)

    def heads(self, width: int) -> dict[str, nn.Module]:
        return {**super().heads(width),
                "predictor": layernorm_predictor(width, ESSL_OUTPUTS[self.equi_tx], self.proj_hidden)}

    def outputs(self, model: nn.Module, z: torch.Tensor, extra_images: torch.Tensor | None) -> Outputs:
        out = super().outputs(model, z, extra_images)
        if extra_images is not None:
            out["essl"] = model.predictor(model.encoder(extra_images))
        return out

    def branch(self, job: Any) -> Callable[[torch.Tensor, torch.Generator], Outputs]:
        return essl_branch(job.tx, self.equi_tx, job.image_size)

    def loss(self, out: Outputs, batch: Batch, training: bool) -> tuple[torch.Tensor, Outputs]:
        loss, terms = super().loss(out, batch, training)
        predicted, target = out["essl"].float(), batch.extras["extra_targets"]
        equivariance = (F.cross_entropy(predicted, target) if ESSL_OUTPUTS[self.equi_tx] > 1
                        else F.mse_loss(predicted, target))
        if self.lam > 0:
            loss = loss + self.lam * equivariance
        return loss, {**terms, "equivariance": equivariance.detach()}
