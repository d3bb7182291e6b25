"""One package per paper: its science, its experiment drivers and its figures."""
