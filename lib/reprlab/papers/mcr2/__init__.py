"""MCR2 (Yu et al., NeurIPS 2020): training, evaluation protocols, the corruption sweep and figures."""
