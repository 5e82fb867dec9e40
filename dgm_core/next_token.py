"""Next-token sampling: reshape p(x_t | x_<t), pick a token, keep the chain-rule ledger.

A language model gives logits for the next token. Before sampling we may reshape the
distribution:

- **temperature** T divides the logits: T < 1 sharpens (T -> 0 is greedy), T > 1 flattens;
- **top-k** keeps the k most likely tokens;
- **top-p** (nucleus) keeps the smallest set of most likely tokens whose mass reaches p;

and renormalise, so the result is again a distribution that sums to one. The *model's*
probability of the chosen token (unreshaped) is what enters log p(x): the ledger adds
log p(x_t | x_<t) step by step, and that sum is the log-likelihood of the continuation.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import torch

from dgm_core.language_models import LanguageModel


@dataclass(frozen=True)
class Shaping:
    """How the next-token distribution is reshaped before sampling. temperature 0 = greedy."""

    temperature: float = 1.0
    top_k: int = 0  # 0 = keep all tokens
    top_p: float = 1.0  # 1 = keep all tokens

    def __post_init__(self):
        if self.temperature < 0 or not math.isfinite(self.temperature):
            raise ValueError(f"temperature must be >= 0, not {self.temperature}.")
        if self.top_k < 0:
            raise ValueError(f"top_k must be >= 0, not {self.top_k}.")
        if not 0.0 < self.top_p <= 1.0:
            raise ValueError(f"top_p must be in (0, 1], not {self.top_p}.")


GREEDY = Shaping(temperature=0.0)


def top_k_mask(logits: torch.Tensor, k: int) -> torch.Tensor:
    """True for the k largest logits (ties at the boundary kept by position); k = 0 keeps all."""
    if k <= 0 or k >= logits.numel():
        return torch.ones_like(logits, dtype=torch.bool)
    keep = torch.zeros_like(logits, dtype=torch.bool)
    keep[torch.topk(logits, k).indices] = True
    return keep


def top_p_mask(probs: torch.Tensor, p: float) -> torch.Tensor:
    """True for the smallest set of most likely tokens whose total probability reaches p."""
    if p >= 1.0:
        return probs > 0
    order = torch.argsort(probs, descending=True, stable=True)
    before = torch.cumsum(probs[order], 0) - probs[order]  # mass of the tokens ranked above
    keep = torch.zeros_like(probs, dtype=torch.bool)
    keep[order[before < p - 1e-9]] = True  # the tolerance: 0.5 + 0.3 may sum to 0.7999...
    return keep


def shape(logits: torch.Tensor, shaping: Shaping) -> torch.Tensor:
    """The distribution we sample from: temperature, then top-k, then top-p, renormalised."""
    logits = logits.double()
    if shaping.temperature == 0.0:  # greedy: all mass on the most likely token
        probs = torch.zeros_like(logits)
        probs[torch.argmax(logits)] = 1.0
        return probs
    scaled = logits / shaping.temperature
    scaled = scaled.masked_fill(~top_k_mask(scaled, shaping.top_k), -math.inf)
    probs = torch.softmax(scaled, 0)
    probs = probs * top_p_mask(probs, shaping.top_p)
    return probs / probs.sum()


@dataclass(frozen=True)
class Candidate:
    token: int
    piece: str  # the token as readable text (spaces and newlines made visible)
    model_prob: float  # p(token | context) under the model
    shaped_prob: float  # probability after temperature / top-k / top-p


@dataclass(frozen=True)
class TokenStep:
    """One step of the chain rule: the context's candidates and the token appended."""

    token: int
    piece: str
    text: str  # the token's raw text
    model_logprob: float  # log p(x_t | x_<t) under the model, in nats
    shaped_prob: float
    chosen_by: str  # "sampled", "greedy" or "you"
    candidates: tuple[Candidate, ...]

    @property
    def model_prob(self) -> float:
        return math.exp(self.model_logprob)


def candidates(lm: LanguageModel, logits: torch.Tensor, shaping: Shaping, n: int = 10) -> list[Candidate]:
    """The n most likely next tokens under the model, with their reshaped probabilities."""
    model_probs = torch.softmax(logits.double(), 0)
    shaped = shape(logits, shaping)
    top = torch.topk(model_probs, min(n, model_probs.numel())).indices.tolist()
    return [Candidate(t, lm.piece(t), float(model_probs[t]), float(shaped[t])) for t in top]


def step_generator(seed: int, index: int) -> torch.Generator:
    """The random stream of step ``index``: a step's draw depends only on the seed and where it
    is, so clicking Next token n times gives the same text as one Finish the sentence."""
    return torch.Generator().manual_seed((seed * 1_000_003 + index) % (2**63 - 1))


def choose(
    lm: LanguageModel,
    logits: torch.Tensor,
    shaping: Shaping,
    generator: torch.Generator,
    token: int | None = None,
    shown: int = 10,
) -> TokenStep:
    """Pick the next token: the given ``token`` (you are the sampler), greedy, or a sample."""
    shaped = shape(logits, shaping)
    if token is not None:
        if not 0 <= token < logits.numel():
            raise ValueError(f"token {token} is not in the vocabulary of {logits.numel()}.")
        chosen_by = "you"
    elif shaping.temperature == 0.0:
        token, chosen_by = int(torch.argmax(shaped)), "greedy"
    else:
        token, chosen_by = int(torch.multinomial(shaped.float(), 1, generator=generator)), "sampled"
    logprob = float(torch.log_softmax(logits.double(), 0)[token])
    return TokenStep(
        token=token,
        piece=lm.piece(token),
        text=lm.decode([token]),
        model_logprob=logprob,
        shaped_prob=float(shaped[token]),
        chosen_by=chosen_by,
        candidates=tuple(candidates(lm, logits, shaping, shown)),
    )


def generate(
    lm: LanguageModel,
    ids: list[int],
    shaping: Shaping,
    seed: int,
    max_tokens: int,
    first_index: int = 0,
    stop: Callable[[str], bool] | None = None,
) -> Iterator[TokenStep]:
    """Token after token from ``ids``: yields each step (so a page can animate), until
    ``max_tokens`` or ``stop(text so far)`` says the sentence is over."""
    cursor = lm.cursor(ids)
    generated = ""
    for i in range(max_tokens):
        step = choose(lm, cursor.logits, shaping, step_generator(seed, first_index + i))
        yield step
        generated += step.text
        if step.token in lm.stop_tokens or (stop is not None and stop(generated)):
            return
        cursor.push(step.token)


def sentence_finished(text: str) -> bool:
    """A sentence ends with . ! or ? (quotes and brackets after them allowed), or at a blank line."""
    return "\n\n" in text or text.rstrip("'\")] ").endswith((".", "!", "?"))


@dataclass
class Ledger:
    """The chain rule, written out: log p(x) = sum_t log p(x_t | x_<t)."""

    steps: list[TokenStep] = field(default_factory=list)

    @property
    def log_prob(self) -> float:
        return sum(s.model_logprob for s in self.steps)

    @property
    def perplexity(self) -> float:
        """exp(-mean log-prob): the model was on average as unsure as a fair choice among this many."""
        return math.exp(-self.log_prob / len(self.steps)) if self.steps else float("nan")

    def rows(self) -> list[dict]:
        running, out = 0.0, []
        for i, s in enumerate(self.steps, 1):
            running += s.model_logprob
            out.append(
                {
                    "step": i,
                    "token": s.piece,
                    "chosen by": s.chosen_by,
                    "p(token | context)": s.model_prob,
                    "log p": s.model_logprob,
                    "running log p(x)": running,
                    "perplexity so far": math.exp(-running / i),
                }
            )
        return out


_HOW = {"sampled": "s", "greedy": "g", "you": "y"}
MAX_RECORDED = 400  # tokens a share link may carry


def record_of(steps: list[TokenStep]) -> str:
    """The generated tokens as a short text for a share link: how each was chosen and its id, e.g. 's12.y4.g55'."""
    return ".".join(f"{_HOW[s.chosen_by]}{s.token}" for s in steps)


def parse_record(text: str) -> list[tuple[str, int]]:
    """Inverse of :func:`record_of`: [(chosen_by, token), ...]; ``ValueError`` for anything else."""
    if not text:
        return []
    parts = text.split(".")
    if len(parts) > MAX_RECORDED:
        raise ValueError(f"more than {MAX_RECORDED} tokens")
    names = {v: k for k, v in _HOW.items()}
    out = []
    for part in parts:
        if len(part) < 2 or part[0] not in names or not part[1:].isdigit() or len(part) > 8:
            raise ValueError("not a list of generated tokens")
        out.append((names[part[0]], int(part[1:])))
    return out


def replay(
    lm: LanguageModel, prompt_ids: list[int], record: list[tuple[str, int]], shaping: Shaping
) -> list[TokenStep]:
    """The steps of a recorded generation, recomputed: the same tokens, the model's probabilities for each
    (the shaped ones under ``shaping``), and how each was chosen. ``ValueError`` if a token is not in the
    vocabulary."""
    steps, ids = [], list(prompt_ids)
    cursor = lm.cursor(ids)
    for how, token in record:
        step = choose(lm, cursor.logits, shaping, torch.Generator(), token=token)
        steps.append(dataclasses.replace(step, chosen_by=how))
        cursor.push(token)
    return steps
