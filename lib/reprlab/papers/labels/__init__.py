"""Beyond categorical label representations (Chen et al., ICLR 2021): label recipes, speech and
text labels, the label bank, label training, attacks, less data, and their figures."""
