"""DUET (Suau et al., ICML 2023) with its baselines SimCLR and ESSL: 2D structured, approximately
equivariant self-supervised representations; training, evaluation protocols, reconstruction,
controlled generation and transfer."""
