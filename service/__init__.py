"""ragqa: grounded question answering whose every answer is proven with verified quotes."""

__version__ = "0.1.0"
