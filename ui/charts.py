"""Plots as functions of arrays. Pages call these instead of building figures inline."""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from dgm_core.images import mark_pixel, upscale
from ui import html_chart, layout

CHOSEN_COLOR, OTHER_COLOR = "#d1495b", "#5b8def"
# one colour per class, the same in every chart of a page (a scatter of the classes and their probabilities)
CLASS_COLORS = (
    *("#1f77b4", "#e07b00", "#2a9d4b", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79"),
)


def distribution_bars(
    probs: Sequence[float],
    labels: Sequence[str],
    chosen: int | None = None,
    title: str = "",
    y_title: str = "probability",
    colors: Sequence[str] | None = None,
) -> go.Figure:
    """Bar chart of a categorical distribution; the ``chosen`` outcome is highlighted: in red, or, when the
    outcomes have ``colors`` of their own (classes coloured alike elsewhere on the page), by a thick outline.

    The figure is built once per distinct chart and shared (read-only): building a plotly figure costs a few ms,
    and a class following the lecturer asks for the same chart once per student."""
    values = tuple(float(p) for p in np.asarray(probs, dtype=float).ravel())
    return _distribution_bars(
        values, tuple(map(str, labels)), chosen, title, y_title, None if colors is None else tuple(colors)
    )


@functools.lru_cache(maxsize=512)
def _distribution_bars(
    probs: tuple[float, ...],
    labels: tuple[str, ...],
    chosen: int | None,
    title: str,
    y_title: str,
    colors: tuple[str, ...] | None,
) -> go.Figure:
    probs = np.asarray(probs, dtype=float)
    if colors is None:
        colors = [CHOSEN_COLOR if i == chosen else OTHER_COLOR for i in range(len(probs))]
        outline = dict(width=0)
    else:
        colors = list(colors)[: len(probs)]
        outline = dict(width=[4 if i == chosen else 0 for i in range(len(probs))], color="#1f2430")
    fig = go.Figure(
        go.Bar(
            x=list(labels),
            y=probs,
            marker=dict(color=colors, line=outline),
            text=[f"{p:.2f}" for p in probs],
            textposition="outside",
        )
    )
    fig.update_layout(
        title=title,
        yaxis=dict(title=y_title, range=[0, max(1e-9, probs.max()) * 1.2]),
        xaxis=dict(type="category"),
        height=260,
        margin=dict(l=10, r=10, t=40 if title else 10, b=10),
    )
    return _keep_description(fig)


def lines(
    series: dict[str, Sequence[float] | tuple[Sequence[float], Sequence[float]]],
    x_title: str = "",
    y_title: str = "",
    title: str = "",
    x: Sequence[float] | None = None,
    log_x: bool = False,
    on_top: str | None = None,
    x_ticks: Sequence[float] | None = None,
) -> go.Figure:
    """Several named curves over a shared x axis (default 1, 2, 3, ...); a curve given as a pair
    (xs, ys) brings its own x values. ``on_top``: the name of a curve drawn last and wider, so that a curve
    equal to another still shows (the budget game's "you" betting the even split). ``x_ticks``: the x values to
    label (default: the axis chooses)."""
    fig = go.Figure()
    names = sorted(series, key=lambda name: name == on_top)  # stable: the others keep their order
    for name in names:
        ys = series[name]
        if isinstance(ys, tuple):
            xs, ys = ys
        else:
            xs = list(x) if x is not None else list(range(1, len(ys) + 1))
        line = dict(width=4) if name == on_top else None
        fig.add_trace(go.Scatter(x=list(xs), y=list(ys), mode="lines", name=name, line=line))
    fig.update_layout(
        title=title,
        height=320,
        margin=dict(l=10, r=10, t=40 if title else 10, b=10),
        xaxis=dict(title=x_title, type="log" if log_x else "linear")
        | (dict(tickvals=list(x_ticks), ticktext=[f"{v:g}" for v in x_ticks]) if x_ticks is not None else {}),
        yaxis=dict(title=y_title),
        legend=dict(orientation="h", y=-0.25),
    )
    return fig


def density_plot(samples, curves: dict[str, tuple[Sequence[float], Sequence[float]]], title: str = "") -> go.Figure:
    """A histogram of 1D ``samples`` (as a density) with density curves {name: (x, p(x))} on top."""
    fig = go.Figure(
        go.Histogram(
            x=np.asarray(samples), histnorm="probability density", nbinsx=60, name="data", marker_color="#c9d3e6"
        )
    )
    for name, (xs, ys) in curves.items():
        fig.add_trace(
            go.Scatter(
                x=np.asarray(xs),
                y=np.asarray(ys),
                mode="lines",
                name=name,
                line=dict(dash="dash") if "true" in name else None,
            )
        )
    fig.update_layout(
        title=title,
        height=330,
        margin=dict(l=10, r=10, t=40 if title else 10, b=10),
        xaxis=dict(title="x", range=[-7, 9]),
        yaxis=dict(title="density"),
        legend=dict(orientation="h", y=-0.25),
    )
    return fig


def scatter_classes(
    points, labels, highlight: tuple[float, float] | None = None, axes: tuple[str, str] = ("x1", "x2")
) -> go.Figure:
    """2D points coloured by class, with one highlighted point (a star)."""
    points, labels = np.asarray(points), np.asarray(labels)
    fig = go.Figure()
    for c in np.unique(labels):
        sel = labels == c
        fig.add_trace(
            go.Scatter(
                x=points[sel, 0],
                y=points[sel, 1],
                mode="markers",
                name=f"class {c}",
                marker=dict(size=6, opacity=0.7, color=CLASS_COLORS[int(c) % len(CLASS_COLORS)]),
            )
        )
    if highlight is not None:
        fig.add_trace(
            go.Scatter(
                x=[highlight[0]],
                y=[highlight[1]],
                mode="markers",
                name="your point",
                marker=dict(symbol="star", size=18, color="black"),
            )
        )
    fig.update_layout(
        height=330,
        margin=dict(l=10, r=10, t=10, b=10),
        legend=dict(orientation="h", y=-0.2),
        xaxis=dict(title=axes[0]),
        yaxis=dict(title=axes[1], scaleanchor="x"),
    )
    return fig


def paired_bars(
    labels_a,
    values_a,
    name_a: str,
    labels_b,
    values_b,
    name_b: str,
    y_title: str,
    log_y: bool = False,
    *,
    horizontal: bool = False,
    hover: dict[str, str] | None = None,
) -> go.Figure:
    """Two named bar series (each with its own labels) on one axis, legend on top. ``horizontal``: one row per
    label (long or many labels stay readable, the chart grows with them); ``hover``: label -> a longer name
    shown on hover. ``y_title`` names the value axis either way."""
    hover = hover or {}

    def bar(labels, values, name):
        labels = list(labels)
        values = np.asarray(values, dtype=float)
        full = [hover.get(label, label) for label in labels]
        if horizontal:
            return go.Bar(
                y=labels,
                x=values,
                name=name,
                orientation="h",
                customdata=full,
                hovertemplate="%{customdata}: %{x:,.4g}<extra>" + name + "</extra>",
            )
        return go.Bar(x=labels, y=values, name=name, customdata=full, hovertemplate="%{customdata}: %{y:,.4g}")

    fig = go.Figure([bar(labels_a, values_a, name_a), bar(labels_b, values_b, name_b)])
    # on a log axis only powers of ten are labelled (plotly's minor labels read "5, 100, 2, 5, 1000")
    value_axis = dict(title=y_title, type="log", dtick=1) if log_y else dict(title=y_title)
    if horizontal:
        rows = list(dict.fromkeys([*labels_a, *labels_b]))
        fig.update_layout(
            height=110 + 34 * len(rows),
            margin=dict(l=10, r=20, t=40, b=10),
            xaxis=value_axis,
            yaxis=dict(autorange="reversed", categoryorder="array", categoryarray=rows, automargin=True),
            barmode="group",
            bargap=0.25,
        )
    else:
        fig.update_layout(height=420, margin=dict(l=10, r=10, t=30, b=10), yaxis=value_axis)
    fig.update_layout(legend=dict(orientation="h", y=1.0, yanchor="bottom", x=0))
    return fig


def heatmap(values, title: str = "", colorbar: str = "") -> go.Figure:
    """A 2D array as a heatmap with row 0 at the top (image orientation)."""
    fig = go.Figure(go.Heatmap(z=np.asarray(values), colorscale="Magma", colorbar=dict(title=colorbar)))
    fig.update_layout(
        title=title,
        height=360,
        margin=dict(l=10, r=10, t=40 if title else 10, b=10),
        yaxis=dict(autorange="reversed", scaleanchor="x", showticklabels=False),
        xaxis=dict(showticklabels=False),
    )
    return fig


BOUND_COLOR = "#8a8f98"


def _short_kind(kind: str) -> str:
    """A bill line's kind in a few characters for an axis label ('' for a plain exact price)."""
    parts = []
    if "IWAE" in kind:
        parts.append("IWAE")
    elif "ELBO" in kind:
        parts.append("-ELBO")
    if "averaged" in kind:
        parts.append("mean over y")
    if "grey levels" in kind:
        parts.append(kind.split("; ")[-1].split(",")[0])
    return ", ".join(parts)


def bill_bars(lines, names: dict[str, str], long_names: dict[str, str] | None = None) -> go.Figure:
    """Your input's bill: -log p(x) per model, exact prices in blue, upper bounds in grey (the legend says
    which), cheapest first; each bar's price is written beside it, inside the chart. ``names``: short axis
    labels; ``long_names``: what the hover says."""
    lines = sorted(lines, key=lambda line: line.nats)
    long_names = long_names or names

    def label(line) -> str:
        kind = _short_kind(line.kind)
        return f"{names.get(line.model, line.model)}" + (f" ({kind})" if kind else "")

    labels = [label(line) for line in lines]
    hover = [f"{long_names.get(line.model, line.model)} ({line.kind})" for line in lines]
    values = [line.nats for line in lines]
    spread = max(values) / max(min(values), 1e-9) if values else 1
    log = spread > 30
    fig = go.Figure()
    for exact, name, colour in ((True, "exact -log p(x)", OTHER_COLOR), (False, "an upper bound", BOUND_COLOR)):
        picked = [k for k, line in enumerate(lines) if line.kind.startswith("exact") == exact]
        fig.add_bar(
            x=[values[k] for k in picked],
            y=[labels[k] for k in picked],
            name=name,
            orientation="h",
            marker_color=colour,
            text=[f"{lines[k].nats:,.1f} nats<br>{lines[k].bits_per_pixel:.3f} bits/pixel" for k in picked],
            # inside the bar where it fits (the long bars), beside it where not: a phone's narrow chart cut a price
            # written beside the longest bar (play-test)
            textposition="auto",
            insidetextanchor="end",
            cliponaxis=False,
            customdata=[hover[k] for k in picked],
            hovertemplate="%{customdata}: %{x:,.1f} nats<extra></extra>",
        )
    top = max(values, default=1.0)
    # the longest bar spans most of the chart (its price inside it); on a log axis the short bars' prices sit
    # beside them, and the axis runs to twice the longest
    span = (math.log10(max(min(values, default=1.0), 1e-9)) - 0.1, math.log10(top) + 0.3) if log else (0, top * 1.04)
    fig.update_layout(
        height=110 + 40 * len(lines),
        margin=dict(l=10, r=20, t=40, b=10),
        xaxis=dict(
            title="-log p(x) in nats" + (" (log scale)" if log else ""),
            type="log" if log else "linear",
            dtick=1 if log else None,  # on a log axis, label only 1, 10, 100, ...
            range=list(span),
        ),
        yaxis=dict(autorange="reversed", categoryorder="array", categoryarray=labels, automargin=True),
        barmode="overlay",
        legend=dict(orientation="h", y=1.0, yanchor="bottom", x=0),
        uniformtext=dict(minsize=11, mode="show"),
    )
    return fig


def realness_strip(real, fake, yours: float, name: str) -> go.Figure:
    """D(x) of real digits and of fakes as two rows of dots, and one digit's D(x) as a red line."""
    fig = go.Figure()
    for label, values, color in (("real digits", real, OTHER_COLOR), ("generated digits", fake, "#8a8f98")):
        v = np.asarray(values, dtype=float)
        fig.add_trace(
            go.Box(x=v, name=label, boxpoints="all", jitter=0.5, pointpos=0, marker_color=color, orientation="h")
        )
    fig.add_vline(x=yours, line_color=CHOSEN_COLOR, line_width=3, annotation_text=f"{name}: {yours:.2f}")
    fig.update_layout(
        height=260,
        margin=dict(l=10, r=10, t=30, b=10),
        xaxis=dict(title="D(x): the discriminator's belief that the image is real", range=[0, 1]),
        showlegend=False,
    )
    return fig


def surprise_strip(tokens, key: str, given: str = "") -> None:
    """A sentence as a strip of tokens, each shaded by its surprise -log p(token | before) (darker red =
    more surprising), the exact figure on hover or, on a touch screen, on a tap; ``given`` (the first token, not
    charged) leads it, outlined.
    Token text is escaped: it is shown, never interpreted."""
    import html

    top = max((t.nats for t in tokens), default=1.0) or 1.0
    spans = []
    if given:
        text = html.escape(given).replace("\n", "↵<br>")
        spans.append(
            '<span class="dgm-tok" tabindex="0" data-nats="given, not charged" '
            'title="the first token: nothing before it, so it is given, not charged" '
            'style="outline:1px dashed #555a66;color:#1f1f1f;padding:2px 1px;'
            f'border-radius:3px;font-family:monospace;font-size:1.05rem">{text}</span>'
        )
    for t in tokens:
        share = min(1.0, t.nats / top)
        background = f"rgba(209, 73, 91, {0.08 + 0.8 * share:.2f})"
        colour = "#ffffff" if share > 0.55 else "#1f1f1f"  # dark text on light shades, white on dark
        text = html.escape(t.text).replace("\n", "↵<br>")
        spans.append(
            f'<span class="dgm-tok" tabindex="0" title="{t.nats:.2f} nats" data-nats="{t.nats:.2f} nats" '
            f'style="background:{background};color:{colour};padding:2px 1px;border-radius:3px;'
            f'font-family:monospace;font-size:1.05rem">{text}</span>'
        )
    # spaces kept as they are (pre-wrap): the sentence wraps at them on a narrow screen (non-breaking spaces made
    # the whole sentence one unbreakable line, cut off on a phone)
    st.html(
        f'<div id="{html.escape(key)}" class="dgm-surprise" '
        f'style="line-height:2.1;white-space:pre-wrap;overflow-wrap:anywhere">{"".join(spans)}</div>'
    )


def image_grid(
    images,
    captions: Sequence[str] | None = None,
    scale: int = 3,
    marker: int | None = None,
    what: str = "a 28 x 28 digit picture",
) -> None:
    """Show images in [0, 1] ((N,1,H,W) or (N,H,W)) in a row that wraps, captions underneath.
    Pixels are upscaled with hard edges (presenter mode: larger); ``marker`` outlines one pixel
    (raster index) in every image, e.g. the next pixel a sampler draws. Each picture gets a text
    alternative for screen readers: ``what`` it shows, its place in the row and its caption."""
    scale = scale * 2 if layout.presenter() else scale
    pictures = [upscale(img, scale) if marker is None else mark_pixel(img, marker, scale) for img in images]
    captions = list(captions) if captions is not None else None
    n = len(pictures)
    alt = [
        f"{what}{f', {k + 1} of {n}' if n > 1 else ''}" + (f": {captions[k]}" if captions and captions[k] else "")
        for k in range(n)
    ]
    st.image(
        pictures,
        caption=captions,
        output_format="PNG",
        width=pictures[0].shape[1] if pictures else "content",
        alt=alt,
    )


def judged_grid(
    images, prefix: str = "judge: ", scale: int = 3, requested: int | None = None, what: str = "a digit picture"
) -> int:
    """``images`` in [0, 1] with the judge's verdict under each ("judge: 3 (97 %)" or "judge: not a digit");
    returns how many the judge reads as ``requested`` (0 without one)."""
    from ui import models  # the judge is loaded once per process

    labels, texts = models.judge_verdicts(images)
    image_grid(images, [prefix + t for t in texts], scale=scale, what=what)
    return 0 if requested is None else int((labels == requested).sum())


def _plane(fig: go.Figure, extent: float, title: str, height: int) -> go.Figure:
    """The square [-extent, extent]^2 of the 2D pictures, equal scales, legend underneath."""
    fig.update_layout(
        title=title,
        height=height,
        margin=dict(l=10, r=10, t=40 if title else 10, b=10),
        xaxis=dict(range=[-extent, extent]),
        yaxis=dict(range=[-extent, extent], scaleanchor="x"),
        legend=dict(orientation="h", y=-0.1),
    )
    return fig


def particles(
    points, data=None, arrows: tuple | None = None, extent: float = 2.5, title: str = "", arrow_scale: float = 0.9
) -> go.Figure:
    """2D particles (red) over data points (grey), with optional arrows (grid, vectors) drawn as
    short line segments from each grid point; the longest arrow is ``arrow_scale`` grid cells long, so arrows
    never run into each other whatever the noise level (their lengths compare within one picture)."""
    fig = go.Figure()
    if data is not None:
        d = np.asarray(data)
        fig.add_trace(
            go.Scattergl(x=d[:, 0], y=d[:, 1], mode="markers", name="data", marker=dict(size=3, color="#b0b0b0"))
        )
    if arrows is not None:
        grid, vec = (np.asarray(a) for a in arrows)
        norm = np.linalg.norm(vec, axis=1, keepdims=True)
        xs = np.unique(grid[:, 0])
        cell = float(np.diff(xs).min()) if len(xs) > 1 else extent
        vec = vec / np.maximum(norm.max(), 1e-9) * arrow_scale * cell
        xs, ys = _segments(grid, vec)
        fig.add_trace(
            go.Scatter(x=xs, y=ys, mode="lines", name="pull D(x, σ) - x", line=dict(color=OTHER_COLOR, width=1))
        )
        fig.add_trace(
            go.Scatter(
                x=grid[:, 0] + vec[:, 0],
                y=grid[:, 1] + vec[:, 1],
                mode="markers",
                showlegend=False,
                marker=dict(size=3, color=OTHER_COLOR),
            )
        )
    p = np.asarray(points)
    fig.add_trace(
        go.Scattergl(x=p[:, 0], y=p[:, 1], mode="markers", name="particles", marker=dict(size=4, color=CHOSEN_COLOR))
    )
    return _plane(fig, extent, title, 460)


def _segments(starts, vectors) -> tuple[np.ndarray, np.ndarray]:
    """Line segments start -> start + vector as one trace's x and y (None-separated)."""
    s, v = np.asarray(starts), np.asarray(vectors)
    nan = np.full(len(s), np.nan)
    xs = np.stack([s[:, 0], s[:, 0] + v[:, 0], nan], 1).ravel()
    ys = np.stack([s[:, 1], s[:, 1] + v[:, 1], nan], 1).ravel()
    return xs, ys


def _token_text(pieces: Sequence[str], limit: int = 12) -> list[str]:
    """Token pieces for plotly labels: shortened, and escaped (plotly reads a subset of HTML in its text)."""
    import html

    return [html.escape(p if len(p) <= limit else p[: limit - 1] + "…") for p in pieces]


def attention_strip(weights: Sequence[float], pieces: Sequence[str], title: str = "") -> go.Figure:
    """How much the position that predicts the next token takes from each visible token (oldest left)."""
    weights = np.asarray(weights, dtype=float)
    x = list(range(len(pieces)))
    labels = _token_text(pieces)
    fig = go.Figure(
        go.Bar(
            x=x,
            y=weights,
            marker_color=OTHER_COLOR,
            hovertext=[f"{lab}: {w:.3f}" for lab, w in zip(labels, weights, strict=True)],
            hoverinfo="text",
        )
    )
    fig.update_layout(
        title=title,
        height=260,
        margin=dict(l=10, r=10, t=40 if title else 10, b=10),
        yaxis=dict(title="attention weight", range=[0, max(1e-9, float(weights.max(initial=0))) * 1.15]),
        xaxis=dict(tickmode="array", tickvals=x, ticktext=labels, tickangle=0, tickfont=dict(family="monospace")),
    )
    return fig


def attention_matrix(weights, pieces: Sequence[str], title: str = "") -> go.Figure:
    """Rows: the position that looks; columns: the position seen. Cells above the diagonal (a later token) are
    left blank: causal masking gives them weight 0."""
    z = np.asarray(weights, dtype=float).copy()
    z[np.triu(np.ones_like(z, dtype=bool), 1)] = np.nan
    labels = _token_text(pieces, 8)
    ticks = list(range(len(labels)))
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=ticks,
            y=ticks,
            zmin=0,
            colorscale="Blues",
            colorbar=dict(title="weight"),
            hovertemplate="looking: %{y}<br>seen: %{x}<br>weight %{z:.3f}<extra></extra>",
        )
    )
    axis = dict(tickmode="array", tickvals=ticks, ticktext=labels, tickfont=dict(family="monospace", size=10))
    fig.update_layout(
        title=title,
        height=420,
        margin=dict(l=10, r=10, t=40 if title else 10, b=10),
        xaxis=dict(**axis, title="seen token", tickangle=0),
        yaxis=dict(**axis, title="looking token", autorange="reversed"),
    )
    return fig


def attention_overview(focus, pieces: Sequence[Sequence[str]], chosen: tuple[int, int] | None = None) -> go.Figure:
    """Every layer (row) x head (column): the largest weight of the predicting position (colour) and the token
    it falls on (text); the chosen layer and head outlined."""
    z = np.asarray(focus, dtype=float)
    layers, heads = z.shape
    text = [_token_text(row, 6) for row in pieces]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[f"head {h + 1}" for h in range(heads)],
            y=[f"layer {k + 1}" for k in range(layers)],
            text=text,
            texttemplate="%{text}",
            zmin=0,
            zmax=1,
            colorscale="Blues",
            colorbar=dict(title="largest<br>weight"),
            hovertemplate="%{y}, %{x}: %{z:.2f} on %{text}<extra></extra>",
        )
    )
    if chosen is not None:
        layer, head = chosen
        fig.add_shape(
            type="rect", x0=head - 0.5, x1=head + 0.5, y0=layer - 0.5, y1=layer + 0.5, line=dict(color=CHOSEN_COLOR)
        )
    fig.update_layout(
        height=min(900, 90 + 26 * layers),
        margin=dict(l=10, r=10, t=10, b=10),
        yaxis=dict(autorange="reversed"),
        xaxis=dict(side="top"),
    )
    return fig


def trajectories(path, data=None, extent: float = 2.5, title: str = "", shown: int = 80) -> go.Figure:
    """Particles' paths through the plane: ``path`` (S, N, 2) is every particle at each of S states; the first
    ``shown`` particles are drawn as lines from start to end, every particle's end as a red dot, over the data."""
    p = np.asarray(path, dtype=float)
    fig = go.Figure()
    if data is not None:
        d = np.asarray(data)
        fig.add_trace(
            go.Scattergl(x=d[:, 0], y=d[:, 1], mode="markers", name="data", marker=dict(size=3, color="#b0b0b0"))
        )
    k = min(shown, p.shape[1])
    nan = np.full((1, k), np.nan)
    xs = np.concatenate([p[:, :k, 0], nan]).T.ravel()  # one segment list per particle, NaN between particles
    ys = np.concatenate([p[:, :k, 1], nan]).T.ravel()
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name="paths", line=dict(color=OTHER_COLOR, width=1)))
    fig.add_trace(
        go.Scattergl(
            x=p[-1, :, 0], y=p[-1, :, 1], mode="markers", name="samples", marker=dict(size=4, color=CHOSEN_COLOR)
        )
    )
    return _plane(fig, extent, title, 420)


def describe(fig: go.Figure, limit: int = 12) -> str:
    """A text alternative for a chart, read from the figure itself: its title, its axes, and each series
    (with its values when there are few, e.g. the bars of a distribution). A figure shared read-only between
    runs (distribution_bars) keeps its text: reading plotly's properties costs a run about as much as a widget."""
    kept = getattr(fig, "_dgm_alt", None)  # set by a builder whose figures are shared (_keep_description)
    if kept is not None and kept[0] == limit:
        return kept[1]
    return _describe(fig, limit)


def _keep_description(fig: go.Figure) -> go.Figure:
    """For a figure built once and shared read-only: its text alternative is worked out once, with it."""
    fig._dgm_alt = (12, _describe(fig, 12))
    return fig


def _describe(fig: go.Figure, limit: int) -> str:

    def title_of(thing) -> str:
        text = getattr(getattr(thing, "title", None), "text", None)
        return str(text) if text else ""

    layout_ = fig.layout
    parts = [title_of(layout_) or "A chart"]
    axes = [
        f"{name}: {title_of(axis)}" for name, axis in (("x", layout_.xaxis), ("y", layout_.yaxis)) if title_of(axis)
    ]
    if axes:
        parts.append("axes " + ", ".join(axes))
    for trace in list(fig.data)[:4]:
        kind = {"bar": "bars", "scatter": "points or lines", "scattergl": "points", "heatmap": "a heatmap"}.get(
            trace.type, trace.type
        )
        series = f"{trace.name}: {kind}" if getattr(trace, "name", None) else kind
        horizontal = getattr(trace, "orientation", None) == "h"
        labels, values = (trace.y, trace.x) if horizontal else (getattr(trace, "x", None), getattr(trace, "y", None))
        if trace.type == "bar" and labels is not None and values is not None and len(labels) <= limit:
            series += " (" + "; ".join(f"{lab}: {float(v):.3g}" for lab, v in zip(labels, values, strict=False)) + ")"
        parts.append(series)
    return ". ".join(parts) + "."


def show(where, fig: go.Figure, *, alt: str | None = None, key: str | None = None, **kwargs):
    """Draw ``fig`` in ``where`` (``st`` or a column) with a text alternative for screen readers: ``alt``, or one
    read from the figure (:func:`describe`). A simple figure (bars, lines, dots, a histogram) is drawn as HTML and
    SVG (``ui.html_chart``), which paints at once; anything else is a plotly chart, whose 4.7 MB of JavaScript a
    new tab runs for about 0.7 s before it paints."""
    alt = alt or describe(fig)
    drawn = None if kwargs else _html_of(fig, alt, key or "")
    if drawn is not None:  # markdown, not st.html: st.html keeps no SVG (its sanitizer allows HTML only)
        return where.markdown(drawn, unsafe_allow_html=True)
    return where.plotly_chart(fig, alt=alt, key=key, **kwargs)


def _html_of(fig: go.Figure, alt: str, key: str) -> str | None:
    """``html_chart.draw``, kept with a figure that is shared read-only between runs (``_keep_description``)."""
    kept = getattr(fig, "_dgm_html", None)
    if kept is not None and kept[0] == (alt, key):
        return kept[1]
    drawn = html_chart.draw(fig, alt, key)
    if hasattr(fig, "_dgm_alt"):
        fig._dgm_html = ((alt, key), drawn)
    return drawn


LEDGER_COLUMNS = {  # the chain-rule ledger's numbers: short headings (the full name on hover) and rounded values,
    # so that every column fits a projector's width (at 1366 px in presenter mode the last one was cut)
    "p(token | context)": ("p", "p(token | context): the model's probability of this token here", "%.3f"),
    "log p": ("log p", "log p(token | context), in nats", "%.2f"),
    "running log p(x)": ("sum of log p", "log p of the text so far: the sum of the steps' log p (chain rule)", "%.2f"),
    "perplexity so far": ("perplexity", "exp(-mean log p) over the tokens so far", "%.2f"),
}


def ledger_table(rows: list[dict], key: str | None = None) -> None:
    """The chain-rule ledger (``dgm_core.next_token.Ledger.rows``) as a table, one row per token."""
    config = {
        name: st.column_config.NumberColumn(label, help=help_, format=fmt)
        for name, (label, help_, fmt) in LEDGER_COLUMNS.items()
    }
    st.dataframe(rows, hide_index=True, width="stretch", column_config=config, key=key)
