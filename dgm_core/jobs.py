"""A server's heavy computations as functions of plain values, so they can run in another process.

A Streamlit server is one Python process: every session's script and every torch job share one interpreter
lock. The samplers hand it back and forth thousands of times per drawing (each torch call releases it), so
while 60 students' scripts run, a job waits for the lock far longer than it computes: measured with the class
bench, the server used 1.4 of 2 cores while clicks waited 8 s. ``ui.heavy`` therefore runs these jobs in worker
processes (each with its own interpreter) when it can: a job names its model instead of holding it, draws its
randomness from a seed, and returns tensors, all of which cross a process boundary.

Each function takes an optional ``report(fraction)``, called as the work goes (a waiting page shows it).
Models are loaded once per process by :func:`model` (a server process may hand in its own loader, so the
same objects serve its threads and its pages).
"""

from __future__ import annotations

import dataclasses
import os
import select
import threading
import time
from collections.abc import Callable

import torch

from dgm_core import checkpoints
from dgm_core.data.mnist import IMAGE_SIZE

Report = Callable[[float], None] | None


def model(name: str):
    """The model ``name`` from ``assets/``, loaded once per process (eval mode, read-only; a server process hands in
    the models its pages hold: ``checkpoints.LOADER``)."""
    return checkpoints.shared_model(name)


def pixel_drawing(
    name: str,
    n: int,
    seed: int,
    digit: int | None,
    temperature: float = 1.0,
    guidance: float = 1.0,
    report: Report = None,
):
    """``n`` digits drawn pixel by pixel (the pixel page's *Watch it draw*): the whole trajectory, for scrubbing. A
    class-conditional model asked for ``digit`` leans towards it with ``guidance`` (1: p(x | y) itself); asked for
    no digit it draws from p(x) = sum_y p(y) p(x | y) (:func:`pixel_model`)."""
    from dgm_core.samplers.pixel import pixel_by_pixel, record

    label = None if digit is None else torch.full((n,), digit)
    steps = pixel_by_pixel(
        pixel_model(name, digit),
        n,
        torch.Generator().manual_seed(seed),
        label=label,
        temperature=temperature,
        guidance=pixel_guidance(name, digit, guidance),
    )
    pixels = IMAGE_SIZE * IMAGE_SIZE
    return record(steps, on_step=None if report is None else lambda step: report((step.index + 1) / pixels))


def pixel_fill_in(
    name: str,
    image: torch.Tensor,
    keep_rows: int,
    n: int,
    seed: int,
    digit: int | None,
    temperature: float = 1.0,
    guidance: float = 1.0,
) -> torch.Tensor:
    """``n`` completions of ``image`` (levels, (1, 1, 28, 28)) from its top ``keep_rows`` rows (*Finish the digit*)."""
    from dgm_core.samplers.pixel import fill_in

    known = torch.zeros(image.shape, dtype=torch.bool)
    known[..., :keep_rows, :] = True
    return fill_in(
        pixel_model(name, digit),
        image,
        known,
        n,
        torch.Generator().manual_seed(seed),
        digit,
        temperature=temperature,
        guidance=pixel_guidance(name, digit, guidance),
    )


def pixel_model(name: str, digit: int | None):
    """The pixel model ``name`` as a drawing asks for it: a class-conditional model asked for no digit is the
    mixture of its ten conditionals, p(x) = sum_y p(y) p(x | y) with p(y) uniform (``ClassMixture``)."""
    chosen = model(name)
    if digit is None and chosen.num_classes:
        from dgm_core.models.class_mixture import ClassMixture

        return ClassMixture(chosen)
    return chosen


def pixel_guidance(name: str, digit: int | None, scale: float):
    """The pixel sampler's ``Guidance`` for checkpoint ``name`` asked for ``digit`` (None: unguided)."""
    if digit is None or scale == 1:
        return None
    from dgm_core.families.pixel_ar import guidance_for

    return guidance_for(name, scale)


def reverse_trajectory(
    name: str, n: int, steps: int, seed: int, sampler: str, digit: int | None, guidance: float, report: Report = None
) -> list:
    """The reverse process from pure noise to ``n`` digits, every step kept (the diffusion page's slider)."""
    from dgm_core.diffusion import reverse_steps

    trajectory = []
    generator = torch.Generator().manual_seed(seed)
    for step in reverse_steps(model(name), n, steps, generator, sampler, label=digit, guidance=guidance):
        trajectory.append(step)
        if report is not None:
            report(len(trajectory) / (steps + 1))
    return trajectory


def restoration(
    name: str,
    damaged: torch.Tensor,
    sigma: float,
    n: int,
    steps: int,
    seed: int,
    sampler: str = "ddim",
    noisy: bool = True,
) -> torch.Tensor:
    """``n`` reverse runs from level ``sigma`` in [-1, 1]: ``damaged`` already carries noise of that level (*Denoise
    it back*, restoration of a noisy digit) or, with ``noisy`` False, fresh noise hides its damage (a blur)."""
    from dgm_core.diffusion import restore

    generator = torch.Generator().manual_seed(seed)
    return restore(model(name), damaged, sigma, n, steps, generator, noisy=noisy, sampler=sampler)


def inpainting(name: str, image: torch.Tensor, known: torch.Tensor, n: int, steps: int, seed: int) -> torch.Tensor:
    """``n`` completions in [-1, 1] of ``image`` where ``known`` is 1 (inpainting, uncropping)."""
    from dgm_core.diffusion import inpaint

    return inpaint(model(name), image, known, n, steps, torch.Generator().manual_seed(seed))


def toy_denoiser(shape: str, steps: int, report: Report = None):
    """The diffusion page's tiny 2D denoiser for ``shape``, trained (a few CPU-seconds; jobs otherwise run
    without gradients, training needs them)."""
    from dgm_core.toy2d import train_toy_denoiser

    with torch.inference_mode(False), torch.enable_grad():
        on_step = None if report is None else lambda step, loss: report(step / steps)
        return train_toy_denoiser(shape, steps, on_step=on_step)


# -- in a worker process ------------------------------------------------------------------------------------------
_PROGRESS = None  # the queue a worker process reports progress on (set when the process starts)


def start_worker(progress, names: tuple[str, ...] = (), server: int | None = None) -> None:
    """A worker process's start: one torch thread (the workers are the parallelism), the progress queue, the
    models named loaded before the first job, and a watch on the ``server`` process that ends this worker when the
    server ends however it ends (a worker waiting for jobs does not notice on its own, and would keep its models
    in memory and, through the fds it holds, its forkserver alive)."""
    global _PROGRESS
    torch.set_num_threads(1)
    _PROGRESS = progress
    if server is not None:
        threading.Thread(target=_end_with, args=(server,), name="server-watch", daemon=True).start()
    for name in names:
        model(name)


def _end_with(server: int) -> None:
    try:
        handle = os.pidfd_open(server)  # readable once that process has ended (no polling, no reused pid)
    except (AttributeError, OSError):  # no pidfd (old kernel) or already gone
        handle = None
    if handle is not None:
        select.select([handle], [], [])
    else:
        while True:
            try:
                os.kill(server, 0)
            except ProcessLookupError:
                break
            except PermissionError:  # alive, owned by someone else
                pass
            time.sleep(1)
    os._exit(0)


def worker_pid() -> int:
    """This worker's process id (a job that only makes sure a worker has started)."""
    return os.getpid()


def run_in_worker(token: int, fn: Callable, args: tuple, kwargs: dict, progress: bool):
    """Run ``fn(*args, **kwargs)`` in this worker (arguments and answer :func:`portable`); with ``progress`` its
    reports go to the server as (token, fraction), at most one per 2 % of the work."""
    args, kwargs = restored(args), restored(kwargs)
    if progress:
        last = [-1.0]

        def report(fraction: float, partial=None) -> None:
            if fraction - last[0] >= 0.02 or fraction >= 1:
                last[0] = fraction
                if _PROGRESS is not None:
                    _PROGRESS.put((token, fraction))

        kwargs = {**kwargs, "report": report}
    with torch.inference_mode():
        return portable(fn(*args, **kwargs))


# -- across the process boundary ----------------------------------------------------------------------------------
# A tensor handed to another process as it is crosses as a file descriptor of shared memory (torch's multiprocessing
# reductions), which the receiver holds as long as it keeps the tensor: a 250-step reverse run is 502 of them, more
# than many systems let a process open, and a container's /dev/shm is 64 MB. Jobs' arguments and answers therefore
# cross as NumPy copies, rebuilt as tensors on the other side.


@dataclasses.dataclass(frozen=True)
class _Values:
    """A tensor's values on their way to another process (a copy: no shared memory)."""

    array: object


@dataclasses.dataclass(frozen=True)
class _ModuleState:
    """A trained module on its way to another process: its class (built without arguments) and its weights."""

    cls: type
    state: dict


def _walk(value, convert):
    """``value`` rebuilt with ``convert`` applied first to it and, where it gives ``None`` (not one of its kinds), to
    each part of a dataclass, list, tuple or dict inside it."""
    done = convert(value)
    if done is not None:
        return done
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return type(value)(**{f.name: _walk(getattr(value, f.name), convert) for f in dataclasses.fields(value)})
    if isinstance(value, list | tuple):
        return type(value)(_walk(v, convert) for v in value)
    if isinstance(value, dict):
        return {k: _walk(v, convert) for k, v in value.items()}
    return value


def portable(value):
    """``value`` with every tensor (in dataclasses, lists, tuples, dicts; a module by its weights) as a copy of its
    values, so it crosses a process boundary by value; :func:`restored` undoes it."""

    def convert(part):
        if isinstance(part, torch.nn.Module):
            return _ModuleState(type(part), portable(part.state_dict()))
        if isinstance(part, torch.Tensor):
            return _Values(part.detach().cpu().numpy().copy())
        return None

    return _walk(value, convert)


def restored(value):
    """The value :func:`portable` carried, tensors and modules rebuilt (a module in eval mode, without gradients,
    as a trained model is handed out)."""

    def convert(part):
        if isinstance(part, _Values):
            return torch.from_numpy(part.array)
        if isinstance(part, _ModuleState):
            module = part.cls()
            module.load_state_dict(restored(part.state))
            module.eval()
            for parameter in module.parameters():
                parameter.requires_grad_(False)
            return module
        return None

    return _walk(value, convert)
