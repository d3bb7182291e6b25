import torch

from reprlab.data import ImageSet, load_dataset
from reprlab.data.views import MultiViewLoader


def test_multiview_batches():
    digits = load_dataset("digits", "train")
    loader = MultiViewLoader(digits, n_img=6, n_aug=4, seed=0)
    batch = next(iter(loader))
    views, pseudo, indices = batch.images, batch.extras["pseudo_labels"], batch.indices
    assert views.shape == (24, 1, 8, 8) and len(loader) == len(digits) // 6
    assert pseudo.tolist() == [i for i in range(6) for _ in range(4)]
    assert (indices.view(6, 4) == indices.view(6, 4)[:, :1]).all()  # 4 views of one image each
    normalised = loader.normalize(digits.images[indices[::4]].float() / 255)
    torch.testing.assert_close(views[::4], normalised)  # view 0 is the identity
    assert not torch.allclose(views[1::4], normalised)  # the other views are augmented
    assert batch.targets.tolist() == digits.targets[indices].tolist()  # targets: the images' real classes


def test_upstream_fixed_order_repeats_groupings_default_reshuffles():
    data = ImageSet("digits", torch.zeros(30, 1, 8, 8, dtype=torch.uint8), torch.zeros(30, dtype=torch.long),
                    [str(i) for i in range(10)])

    def groupings(loader):
        return [tuple(b.indices[::2].tolist()) for b in loader]

    fixed = MultiViewLoader(data, 5, 2, fixed_order=True)
    assert groupings(fixed) == groupings(fixed) == [tuple(range(i, i + 5)) for i in range(0, 30, 5)]
    shuffled = MultiViewLoader(data, 5, 2)
    assert groupings(shuffled) != groupings(shuffled)
