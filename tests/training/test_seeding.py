import random

import numpy as np
import torch

from reprlab.training.seeding import rng_state, seed_everything, set_rng_state


def test_seed_everything_makes_every_generator_repeat():
    seed_everything(3)
    first = (random.random(), np.random.rand(), torch.rand(1).item())
    seed_everything(3)
    assert (random.random(), np.random.rand(), torch.rand(1).item()) == first


def test_rng_state_round_trip_continues_the_same_streams():
    seed_everything(5)
    state = rng_state()
    expected = (random.random(), np.random.rand(), torch.rand(2).tolist())
    seed_everything(99)
    set_rng_state(state)
    assert (random.random(), np.random.rand(), torch.rand(2).tolist()) == expected
