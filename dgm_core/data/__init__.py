"""Data sets: MNIST digits (mnist.py) and plain-text corpora (text.py)."""
