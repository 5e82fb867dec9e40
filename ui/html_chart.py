"""Simple plotly figures drawn as plain HTML and SVG, without plotly's JavaScript.

Plotly's browser bundle is 4.7 MB; a new browser tab spends about 0.7 s of its main thread running it before it
paints the first chart, and everything else on the page waits with it. The charts of the pages' first views are
simple (bars, lines, dots, a histogram), so :func:`draw` turns such a figure into a small piece of HTML that paints
at once, and answers None for anything it does not draw (heatmaps, box plots, shapes), which then stays a plotly
chart. A WebGL scatter (plotly's way to many points) is drawn as SVG dots, a cloud of more than ``MANY_DOTS`` as one
mark: the diffusion page's 2D picture (two such clouds) paints a second view in 1.6 s and 1.7 s of chromium CPU
instead of 3.7-4.5 s and 5-6 s with plotly.

The drawing adapts to the width it is given, as a plotly chart does: the marks live in an SVG stretched over the
plot area (strokes keep their width, dots stay round), the text (title, ticks, labels, legend) is HTML placed in
percent of the plot area, so it keeps its size on a phone and on a projector. Colours come from the page
(``currentColor``) or from the figure. Every mark carries its values (``data-series``, ``data-label``,
``data-value``; a cloud its number of dots) and a tooltip (``<title>``); the whole chart carries the figure's text
alternative.
"""

from __future__ import annotations

import base64
import html
import itertools
import math

import numpy as np

# Streamlit's own categorical colours, the distinct ones first, for traces that bring no colour of their own
PALETTE = ("#0068c9", "#ff8700", "#29b09d", "#6d3fc0", "#ff2b2b", "#83c9ff", "#7defa1", "#ffd16a", "#ffabab")
SIZE = 1000.0  # the plot area's SVG user units (stretched to the area's real size)
MANY_DOTS = 200  # a marker trace with more dots than this is drawn as one mark (one tooltip for the whole cloud)
# what a figure may use to be drawn here (anything else: None, and plotly draws it)
KNOWN_TRACE_KEYS = {
    "bar": set(
        "type x y name orientation marker text textposition customdata hovertemplate cliponaxis hovertext hoverinfo "
        "showlegend".split()
    ),
    "scatter": set("type x y name mode marker line showlegend customdata hovertemplate".split()),
    "scattergl": set("type x y name mode marker line showlegend customdata hovertemplate".split()),
    "histogram": set("type x name histnorm nbinsx marker".split()),
}
KNOWN_LAYOUT_KEYS = set("template title height margin xaxis yaxis legend barmode bargap showlegend uniformtext".split())
KNOWN_AXIS_KEYS = set(
    "title type range autorange categoryorder categoryarray automargin dtick scaleanchor tickmode tickvals ticktext "
    "tickangle tickfont showticklabels".split()
)


def _array(v) -> list:
    """A trace array as a list (plotly hands numpy arrays over base64-coded)."""
    if v is None:
        return []
    if isinstance(v, dict) and "bdata" in v:
        values = np.frombuffer(base64.b64decode(v["bdata"]), v["dtype"])
        return values.reshape([int(n) for n in str(v.get("shape", "-1")).split(",")]).tolist()
    return np.asarray(v).tolist() if isinstance(v, np.ndarray) else list(v)


def _text(v) -> str:
    if isinstance(v, dict):
        v = v.get("text")
    return "" if v is None else str(v)


def _e(v) -> str:
    return html.escape(str(v), quote=True)


def _number(v: float) -> str:
    """A value for a tooltip or a label: 4 significant digits, no trailing zeros."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return f"{v:,.4g}"


class _Axis:
    """One axis: category, linear or log; maps values to 0..1 along the plot area."""

    def __init__(self, spec: dict, values: list, categories: list[str], *, bars_from_zero: bool, pad: float):
        self.spec = spec
        self.title = _text(spec.get("title"))
        given_kind = spec.get("type")
        self.kind = given_kind if given_kind not in (None, "-") else ("category" if categories else "linear")
        self.reversed = spec.get("autorange") == "reversed"
        self.show_labels = spec.get("showticklabels", True)
        if self.kind == "category":
            order = list(spec.get("categoryarray") or []) if spec.get("categoryorder") == "array" else []
            self.categories = list(dict.fromkeys([*order, *categories]))
            self.low, self.high = -0.5, len(self.categories) - 0.5
            return
        finite = [float(v) for v in values if v is not None and math.isfinite(float(v))]
        if self.kind == "log":
            finite = [v for v in finite if v > 0]
        given = spec.get("range")
        if given:
            low, high = float(given[0]), float(given[1])
        elif self.kind == "log":
            low = math.log10(min(finite, default=1.0))
            high = math.log10(max(finite, default=10.0))
            low, high = (low - 0.1, high + 0.1) if high > low else (low - 1, high + 1)
        else:
            low, high = min(finite, default=0.0), max(finite, default=1.0)
            if bars_from_zero:
                low, high = min(low, 0.0), max(high, 0.0)
            span = (high - low) or abs(high) or 1.0
            low -= 0 if bars_from_zero and low == 0 else pad * span
            high += 0 if bars_from_zero and high == 0 else pad * span
        self.low, self.high = low, high

    def frac(self, v) -> float:
        """Where a value lies along the axis, 0 (start) to 1 (end); NaN for a value it cannot show."""
        if self.kind == "category":
            x = self.categories.index(str(v)) if str(v) in self.categories else math.nan
        else:
            try:
                x = float(v)
            except (TypeError, ValueError):
                return math.nan
            if self.kind == "log":
                x = math.log10(x) if x > 0 else math.nan
        f = (x - self.low) / ((self.high - self.low) or 1.0)
        return 1.0 - f if self.reversed else f

    def ticks(self) -> list[tuple[float, str]]:
        """(position 0..1, label) of each tick."""
        if not self.show_labels:
            return []
        if self.spec.get("tickvals") is not None:
            vals, texts = _array(self.spec["tickvals"]), _array(self.spec.get("ticktext")) or None
            out = [(self.frac(v), str(texts[k]) if texts else _number(v)) for k, v in enumerate(vals)]
        elif self.kind == "category":
            out = [(self.frac(c), c) for c in self.categories]
        elif self.kind == "log":
            out = [(self.frac(10.0**k), _power_label(k)) for k in range(math.ceil(self.low), math.floor(self.high) + 1)]
        else:
            step = _nice_step((self.high - self.low) / 5)
            digits = _decimals(step)
            first = math.ceil(self.low / step - 1e-9)
            out = []
            for k in range(first, first + 12):
                v = k * step
                if v > self.high + 1e-9 * step:
                    break
                out.append((self.frac(v), f"{v:,.{digits}f}"))
        return [(f, label) for f, label in out if -1e-9 <= f <= 1 + 1e-9]


def _visible(label: str) -> str:
    """A tick label with its line breaks shown as ↵ (a token can be a line break)."""
    return label.replace("\r", "").replace("\n", "↵")


def _nice_step(raw: float) -> float:
    power = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    for m in (1, 2, 2.5, 5, 10):
        if m * power >= raw:
            return m * power
    return 10 * power


def _decimals(step: float) -> int:
    """The decimals a tick step needs to be printed exactly: 2.5 -> 1, 0.25 -> 2, 0.2 -> 1, 10 -> 0 (the order of
    magnitude alone gave 2.5 no decimal, so ticks at -5, -2.5, 0, 2.5 read "-5, -2, 0, 2")."""
    for digits in range(12):
        if abs(round(step, digits) - step) <= 1e-9 * max(1.0, abs(step)):
            return digits
    return 12


def _power_label(k: int) -> str:
    v = 10.0**k
    return f"{v:,.0f}" if k >= 0 else f"{v:g}"


def _float(v) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return math.nan


def _inside(px: float, py: float) -> bool:
    """A dot to draw: within the plot area (a fixed range leaves points outside it, which plotly clips too)."""
    return -0.01 * SIZE <= px <= 1.01 * SIZE and -0.01 * SIZE <= py <= 1.01 * SIZE


def _marks_supported(fig: dict) -> bool:
    layout, data = fig.get("layout", {}), fig.get("data", [])
    if not data or set(layout) - KNOWN_LAYOUT_KEYS:
        return False
    for axis in ("xaxis", "yaxis"):
        if set(layout.get(axis, {})) - KNOWN_AXIS_KEYS:
            return False
        if layout.get(axis, {}).get("type", "linear") not in ("linear", "log", "category", "-"):
            return False
    for trace in data:
        kind = trace.get("type", "scatter")
        if kind not in KNOWN_TRACE_KEYS or set(trace) - KNOWN_TRACE_KEYS[kind]:
            return False
        if kind in ("scatter", "scattergl") and trace.get("mode", "lines") not in ("lines", "markers", "lines+markers"):
            return False
        marker = trace.get("marker") or {}
        if kind != "bar" and (not isinstance(marker.get("size", 0), (int, float)) or set(marker) & {"colorscale"}):
            return False  # a size per point or a colour scale: plotly draws it
        if kind == "histogram" and trace.get("histnorm", "probability density") != "probability density":
            return False
        if kind == "bar":  # bars stand on named categories (numbers on the band axis are not drawn here)
            band = _array(trace.get("y") if trace.get("orientation") == "h" else trace.get("x"))
            if band and not all(isinstance(v, str) for v in band):
                return False
    return True


def draw(fig, alt: str, key: str = "") -> str | None:
    """The figure as HTML (for ``st.markdown(..., unsafe_allow_html=True)``: ``st.html``'s sanitizer removes SVG),
    or None when it uses something not drawn here. All text in it is escaped."""
    spec = fig.to_plotly_json() if hasattr(fig, "to_plotly_json") else fig
    if not _marks_supported(spec):
        return None
    return _Chart(spec, alt, key).html()


class _Chart:
    def __init__(self, spec: dict, alt: str, key: str):
        self.layout = spec.get("layout", {})
        self.traces = [dict(t) for t in spec["data"]]
        self.alt, self.key = alt, key
        self.horizontal = any(t.get("type") == "bar" and t.get("orientation") == "h" for t in self.traces)
        for t in self.traces:  # a histogram becomes the bars of its bins (as a density)
            if t.get("type") == "histogram":
                t.update(_histogram_bars(t))
            elif t.get("type") == "scattergl":  # WebGL is plotly's way to many points; here they are SVG dots
                t["type"] = "scatter"
        numeric = {  # an axis said to be linear or log reads numbers given as text as numbers, as plotly does
            axis: self.layout.get(axis, {}).get("type") in ("linear", "log") for axis in ("xaxis", "yaxis")
        }
        x_values, y_values, x_cats, y_cats = [], [], [], []
        for t in self.traces:
            xs, ys = _array(t.get("x")), _array(t.get("y"))
            for axis, values, cats, target in (("xaxis", xs, x_cats, x_values), ("yaxis", ys, y_cats, y_values)):
                if values and isinstance(values[0], str) and not numeric[axis]:
                    cats.extend(values)
                else:
                    target.extend(_float(v) for v in values if v is not None)
            if t.get("_edges"):
                x_values.extend(t["_edges"])
        bars = any(t.get("type") == "bar" for t in self.traces)
        self.x = _Axis(
            self.layout.get("xaxis", {}),
            x_values,
            x_cats,
            bars_from_zero=bars and self.horizontal,
            pad=0.0 if bars and not self.horizontal else 0.04,
        )
        self.y = _Axis(
            self.layout.get("yaxis", {}), y_values, y_cats, bars_from_zero=bars and not self.horizontal, pad=0.04
        )
        self.height = int(self.layout.get("height") or 320)
        # a fixed range may leave marks outside (the 2D pictures' paths from far out): cut there, as plotly does;
        # a range found from the data keeps every mark inside, dots at its ends whole
        fixed = any(self.layout.get(axis, {}).get("range") for axis in ("xaxis", "yaxis"))
        self.overflow = "hidden" if fixed else "visible"
        self.equal = self.layout.get("yaxis", {}).get("scaleanchor") == "x"
        if self.equal:  # one unit as long on both axes: widen the shorter range
            xs, ys = self.x.high - self.x.low, self.y.high - self.y.low
            if xs < ys:
                mid = (self.x.low + self.x.high) / 2
                self.x.low, self.x.high = mid - ys / 2, mid + ys / 2
            else:
                mid = (self.y.low + self.y.high) / 2
                self.y.low, self.y.high = mid - xs / 2, mid + xs / 2

    @property
    def unpainted(self) -> list[int]:
        """The traces that bring no colour: they take the palette's colours in turn."""
        return [
            k
            for k, t in enumerate(self.traces)
            if not ((t.get("marker") or {}).get("color") or (t.get("line") or {}).get("color"))
        ]

    def colour(self, k: int, trace: dict) -> str | list:
        marker = trace.get("marker") or {}
        line = trace.get("line") or {}
        given = (
            marker.get("color")
            if trace.get("type") != "scatter" or "lines" not in trace.get("mode", "lines")
            else (line.get("color") or marker.get("color"))
        )
        if isinstance(given, (list, tuple)):
            return [str(c) for c in given]
        return str(given) if given else PALETTE[self.unpainted.index(k) % len(PALETTE)]

    # --- marks: SVG in user units 0..SIZE, y down ---
    def _px(self, axis: _Axis, v, flip: bool) -> float:
        f = axis.frac(v)
        return (1 - f) * SIZE if flip else f * SIZE

    def marks(self) -> tuple[list[str], list[str]]:
        """(SVG elements, HTML labels placed over the plot area)."""
        svg, labels = [], []
        bar_traces = [t for t in self.traces if t.get("type") == "bar"]
        group = self.layout.get("barmode", "group") == "group" and len(bar_traces) > 1
        gap = float(self.layout.get("bargap", 0.2))
        band_axis = self.y if self.horizontal else self.x
        band = SIZE / max(1, len(band_axis.categories)) if band_axis.kind == "category" else None
        self.sharing: dict[str, list[int]] = {}  # category -> the bar series that have a bar there, in order
        for slot, t in enumerate(bar_traces):
            for cat in _array(t.get("y") if self.horizontal else t.get("x")):
                self.sharing.setdefault(str(cat), []).append(slot)
        for k, t in enumerate(self.traces):
            colour = self.colour(k, t)
            name = str(t.get("name") or "")
            if t.get("type") == "bar":
                self._bars(t, colour, name, svg, labels, band, gap, group, bar_traces.index(t))
            else:
                self._scatter(t, colour, name, svg, labels)
        return svg, labels

    def _bars(self, t, colour, name, svg, labels, band, gap, group, slot) -> None:
        cats, vals = (
            (_array(t.get("y")), _array(t.get("x"))) if self.horizontal else (_array(t.get("x")), _array(t.get("y")))
        )
        texts = _array(t.get("text")) if t.get("textposition", "outside") == "outside" else []
        hovers = _array(t.get("customdata")) or _array(t.get("hovertext"))
        outline = (t.get("marker") or {}).get("line") or {}
        widths = outline.get("width", 0)
        edges = t.get("_edges")
        value_axis, band_axis = (self.x, self.y) if self.horizontal else (self.y, self.x)
        base = value_axis.low if value_axis.kind == "log" else 0.0
        for i, (cat, val) in enumerate(zip(cats, vals, strict=False)):
            if val is None or not math.isfinite(float(val)):
                continue
            if edges:  # a histogram bin spans its edges
                a, b = self._px(band_axis, edges[i], False), self._px(band_axis, edges[i + 1], False)
                lo, width = min(a, b), abs(b - a)
            else:
                centre = band_axis.frac(cat) * SIZE if not self.horizontal else (1 - band_axis.frac(cat)) * SIZE
                if band_axis.kind != "category":
                    width = SIZE * 0.8 / max(1, len(cats))
                    lo = centre - width / 2
                else:
                    full = band * (1 - gap)
                    # grouped: side by side with the other series that have a bar on this category (one alone
                    # takes the whole band, centred on its label)
                    sharing = self.sharing.get(str(cat), [slot]) if group else [slot]
                    width = full / len(sharing)
                    lo = centre - full / 2 + sharing.index(slot) * width
            v0 = value_axis.frac(10**base if value_axis.kind == "log" else base)
            v1 = value_axis.frac(val)
            v0, v1 = (min(max(v0, 0), 1), min(max(v1, 0), 1))
            fill = colour[i % len(colour)] if isinstance(colour, list) else colour
            stroke = ""
            w = widths[i] if isinstance(widths, list) else widths
            if w:
                stroke = (
                    f' stroke="{_e(outline.get("color", "#1f2430"))}" stroke-width="{w}"'
                    ' vector-effect="non-scaling-stroke"'
                )
            hover = hovers[i] if i < len(hovers) else cat
            tip = f"{hover}: {_number(float(val))}" + (f" ({name})" if name else "")
            text = texts[i] if i < len(texts) and texts[i] not in (None, "") else ""
            data = (
                f'data-series="{_e(name)}" data-label="{_e(cat)}" data-value="{float(val)!r}" data-hover="{_e(hover)}"'
                + (f' data-text="{_e(text)}"' if text else "")
            )
            if self.horizontal:
                x0, x1 = sorted((v0 * SIZE, v1 * SIZE))
                rect = f'x="{x0:.1f}" y="{lo:.1f}" width="{x1 - x0:.1f}" height="{width:.1f}"'
            else:
                y0, y1 = sorted(((1 - v0) * SIZE, (1 - v1) * SIZE))
                rect = f'x="{lo:.1f}" y="{y0:.1f}" width="{width:.1f}" height="{y1 - y0:.1f}"'
            svg.append(f'<rect {rect} fill="{_e(fill)}"{stroke} {data}><title>{_e(tip)}</title></rect>')
            if text:
                mid = (lo + width / 2) / SIZE * 100
                if self.horizontal:
                    pos = f"left:calc({v1 * 100:.2f}% + 4px);top:{mid:.2f}%;transform:translateY(-50%)"
                else:
                    pos = f"left:{mid:.2f}%;bottom:calc({v1 * 100:.2f}% + 2px);transform:translateX(-50%)"
                labels.append(
                    f'<span style="position:absolute;{pos};white-space:nowrap;font-size:0.75rem">{_e(text)}</span>'
                )

    def _scatter(self, t, colour, name, svg, labels) -> None:
        xs, ys = _array(t.get("x")), _array(t.get("y"))
        mode = t.get("mode", "lines")
        line = t.get("line") or {}
        marker = t.get("marker") or {}
        points = [
            (self.x.frac(x) * SIZE, (1 - self.y.frac(y)) * SIZE)
            if x is not None and y is not None
            else (math.nan, math.nan)
            for x, y in zip(xs, ys, strict=False)
        ]
        data = f'data-series="{_e(name)}"'
        if "lines" in mode:
            parts, pen_up = [], True
            for px, py in points:
                if not (math.isfinite(px) and math.isfinite(py)):
                    pen_up = True
                    continue
                parts.append(f"{'M' if pen_up else 'L'}{px:.1f} {py:.1f}")
                pen_up = False
            dash = {"dash": ' stroke-dasharray="7 4"', "dot": ' stroke-dasharray="2 3"'}.get(line.get("dash") or "", "")
            svg.append(
                f'<path d="{"".join(parts)}" fill="none" stroke="{_e(colour)}" stroke-width="{line.get("width", 2)}"'
                f' vector-effect="non-scaling-stroke"{dash} {data} data-points="{len(points)}">'
                f"<title>{_e(name)}</title></path>"
            )
        if "markers" in mode and len(points) > MANY_DOTS and marker.get("symbol") != "star" and isinstance(colour, str):
            # a cloud: every dot in one path (a tooltip per dot of thousands would make the page heavy to paint)
            shown = [f"M{px:.1f} {py:.1f}h0" for px, py in points if _inside(px, py)]
            svg.append(
                f'<path d="{"".join(shown)}" stroke="{_e(colour)}" stroke-width="{float(marker.get("size", 6)):g}"'
                f' stroke-linecap="round" stroke-opacity="{marker.get("opacity", 1)}"'
                f' vector-effect="non-scaling-stroke" {data} data-dots="{len(shown)}">'
                + (f"<title>{_e(name)}: {len(shown):,} points</title>" if name else "")
                + "</path>"
            )
        elif "markers" in mode:
            size = float(marker.get("size", 6))
            opacity = marker.get("opacity", 1)
            star = marker.get("symbol") == "star"
            for (px, py), x, y in zip(points, xs, ys, strict=False):
                if not _inside(px, py):
                    continue
                tip = f"{name}: ({_number(float(x))}, {_number(float(y))})"
                if star:  # a glyph keeps its shape on a stretched plot area
                    labels.append(
                        f'<span title="{_e(tip)}" style="position:absolute;left:{px / 10:.2f}%;top:{py / 10:.2f}%;'
                        f"transform:translate(-50%,-50%);color:{_e(colour)};font-size:{size * 1.4 / 16:.2f}rem;"
                        f'line-height:1" {data} data-x="{x!r}" data-y="{y!r}">★</span>'
                    )
                    continue
                svg.append(
                    f'<path d="M{px:.1f} {py:.1f}h0" stroke="{_e(colour)}" stroke-width="{size:g}"'
                    f' stroke-linecap="round" stroke-opacity="{opacity}" vector-effect="non-scaling-stroke" {data}'
                    f' data-x="{x!r}" data-y="{y!r}"><title>{_e(tip)}</title></path>'
                )

    def legend(self) -> list[str]:
        if self.layout.get("showlegend") is False:
            return []
        shown = [(k, t) for k, t in enumerate(self.traces) if t.get("name") and t.get("showlegend", True)]
        if len(shown) < 2:
            return []
        items = []
        for k, t in shown:
            colour = self.colour(k, t)
            colour = colour[0] if isinstance(colour, list) else colour
            kind = t.get("type")
            if kind == "scatter" and t.get("mode", "lines") == "markers":
                star = (t.get("marker") or {}).get("symbol") == "star"
                swatch = f'<span style="color:{_e(colour)}">{"★" if star else "●"}</span>'
            elif kind == "scatter":
                dash = "dashed" if (t.get("line") or {}).get("dash") else "solid"
                swatch = (
                    f'<span style="display:inline-block;width:22px;border-top:2px {dash} {_e(colour)};'
                    'vertical-align:middle"></span>'
                )
            else:
                swatch = (
                    f'<span style="display:inline-block;width:12px;height:12px;background:{_e(colour)};'
                    'vertical-align:middle"></span>'
                )
            items.append(f"<span>{swatch} {_e(t['name'])}</span>")
        return items

    def html(self) -> str:
        svg, over = self.marks()
        grid = []
        value_axes = [self.x] if self.horizontal else [self.y]
        if not any(t.get("type") == "bar" for t in self.traces):
            value_axes = [self.x, self.y]
        for axis in value_axes:
            for f, _ in axis.ticks():
                if axis is self.x:
                    grid.append(f'<path d="M{f * SIZE:.1f} 0V{SIZE:g}"/>')
                else:
                    grid.append(f'<path d="M0 {(1 - f) * SIZE:.1f}H{SIZE:g}"/>')
        title = _text(self.layout.get("title"))
        legend = self.legend()
        legend_top = legend and float((self.layout.get("legend") or {}).get("y", -0.2)) >= 0.5
        y_ticks = "".join(
            f'<span style="position:absolute;right:4px;top:{(1 - f) * 100:.2f}%;transform:translateY(-50%);'
            f'white-space:pre">{_e(_visible(label))}</span>'
            for f, label in self.y.ticks()
        )
        y_ticks_width = max((len(label) for _, label in self.y.ticks()), default=0) * 0.56 + 0.7  # em
        x_tick_list = self.x.ticks()
        room = (
            f"max-width:{100 / len(x_tick_list):.2f}%;overflow:hidden;text-overflow:ellipsis;"
            if self.x.kind == "category" and x_tick_list
            else ""
        )
        x_ticks = "".join(
            f'<span title="{_e(label)}" style="position:absolute;left:{f * 100:.2f}%;top:2px;'
            f'transform:translateX(-50%);white-space:pre;{room}">{_e(_visible(label))}</span>'
            for f, label in x_tick_list
        )
        plot_height = self.height - 40 - (28 if title else 0) - (24 if legend else 0)
        aspect = narrow = ""
        first_row = f"{plot_height / 16:.2f}rem"
        if self.equal:  # one unit is as long on both axes: the plot's width sets its height (row 1 follows it),
            # and the x ticks and title take the plot's width, so they stand under the points they label
            ratio = (self.x.high - self.x.low) / ((self.y.high - self.y.low) or 1)
            narrow = f"width:min(100%,{(self.height - 80) / 16 * ratio:.2f}rem);justify-self:start;"
            aspect = f"aspect-ratio:{ratio:.3f};{narrow}"
            first_row = "auto"
        legend_html = (
            f'<div style="display:flex;flex-wrap:wrap;gap:4px 16px;font-size:0.8125rem;'
            f'{"margin-bottom:6px" if legend_top else "margin-top:6px"}">{"".join(legend)}</div>'
            if legend
            else ""
        )
        figure = (
            f'<figure class="dgm-chart" data-key="{_e(self.key)}" data-height="{self.height}"'
            f' data-orientation="{"h" if self.horizontal else "v"}" role="img" aria-label="{_e(self.alt)}"'
            ' style="margin:0 0 0.5rem 0;font-size:0.75rem;color:inherit;font-family:inherit">'
        )
        plot_grid = (
            '<div style="display:grid;grid-template-columns:auto auto minmax(0,1fr);'
            f'grid-template-rows:{first_row} auto auto;column-gap:2px;padding-right:14px">'
        )
        y_title = (
            '<div style="grid-row:1;grid-column:1;writing-mode:vertical-rl;transform:rotate(180deg);'
            f'text-align:center;font-size:0.8125rem;opacity:0.85">{_e(self.y.title)}</div>'
        )
        y_tick_column = (
            f'<div style="grid-row:1;grid-column:2;position:relative;width:{y_ticks_width:.2f}em;'
            f'font-size:0.75rem;opacity:0.8">{y_ticks}</div>'
        )
        plot = (
            f'<div style="grid-row:1;grid-column:3;position:relative;{aspect}'
            'border-left:1px solid rgba(128,128,128,0.45);border-bottom:1px solid rgba(128,128,128,0.45)">'
            f'<svg viewBox="0 0 {SIZE:g} {SIZE:g}" preserveAspectRatio="none" width="100%" height="100%"'
            f' style="position:absolute;inset:0;overflow:{self.overflow}" aria-hidden="true">'
            f'<g stroke="currentColor" stroke-opacity="0.12" vector-effect="non-scaling-stroke">{"".join(grid)}</g>'
            f"{''.join(svg)}</svg>{''.join(over)}</div>"
        )
        x_tick_row = (
            f'<div style="grid-row:2;grid-column:3;position:relative;height:1.4rem;opacity:0.8;{narrow}">'
            f"{x_ticks}</div>"
        )
        x_title = (
            f'<div style="grid-row:3;grid-column:3;text-align:center;font-size:0.8125rem;opacity:0.85;{narrow}">'
            f"{_e(self.x.title)}</div>"
        )
        return "".join(
            [
                figure,
                f'<div style="font-size:1rem;margin:0 0 6px 4px">{_e(title)}</div>' if title else "",
                legend_html if legend_top else "",
                plot_grid,
                y_title,
                y_tick_column,
                plot,
                x_tick_row,
                x_title,
                "</div>",
                "" if legend_top else legend_html,
                "</figure>",
            ]
        )


def _histogram_bars(trace: dict) -> dict:
    """A density histogram as bars: 60 (``nbinsx``) equal bins over the data's range, height count / (n width)."""
    values = np.asarray(_array(trace.get("x")), dtype=float)
    values = values[np.isfinite(values)]
    counts, edges = np.histogram(values, bins=int(trace.get("nbinsx") or 60))
    density = counts / max(1, len(values)) / np.diff(edges)
    centres = (edges[:-1] + edges[1:]) / 2
    return {
        "type": "bar",
        "x": centres.tolist(),
        "y": density.tolist(),
        "_edges": edges.tolist(),
        "customdata": [f"{a:.2f} to {b:.2f}" for a, b in itertools.pairwise(edges)],
    }
