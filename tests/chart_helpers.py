"""The charts a page drew, read back from an AppTest run as plotly-like dicts, whichever way they were drawn:
a plotly chart (its spec) or an HTML chart of ``ui.html_chart`` (its marks' data attributes)."""

from __future__ import annotations

import base64
import json
import re
from html.parser import HTMLParser

import numpy as np


def values(v) -> list:
    """A plotly array as a list (plotly sends numpy arrays base64-coded)."""
    if isinstance(v, dict) and "bdata" in v:
        shape = [int(n) for n in str(v.get("shape", "-1")).split(",")]
        return np.frombuffer(base64.b64decode(v["bdata"]), v["dtype"]).reshape(shape).tolist()
    return list(v)


class _Marks(HTMLParser):
    def __init__(self):
        super().__init__()
        self.root: dict = {}
        self.traces: dict[str, dict] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "figure" and "dgm-chart" in (a.get("class") or ""):
            self.root = a
            return
        if "data-series" not in a:
            return
        trace = self.traces.setdefault(a["data-series"], {"name": a["data-series"], "x": [], "y": []})
        if tag == "rect":  # a bar: its category on the band axis, its value on the other
            horizontal = self.root.get("data-orientation") == "h"
            trace.update(type="bar", orientation="h" if horizontal else "v")
            label, value = a["data-label"], float(a["data-value"])
            trace["y" if horizontal else "x"].append(label)
            trace["x" if horizontal else "y"].append(value)
            trace.setdefault("customdata", []).append(a.get("data-hover", label))
            trace.setdefault("text", []).append(a.get("data-text", ""))
            marker = trace.setdefault("marker", {"color": [], "line": {"width": []}})
            marker["color"].append(a.get("fill"))
            marker["line"]["width"].append(float(a.get("stroke-width", 0)))
        elif "data-x" in a:  # a dot or a star
            trace.update(type="scatter", mode="markers")
            trace["x"].append(float(a["data-x"]))
            trace["y"].append(float(a["data-y"]))
            colour = a.get("stroke") or (a.get("style") or "").split("color:")[-1].split(";")[0]
            trace.setdefault("marker", {"color": colour})
        elif tag == "path" and "data-dots" in a:  # a cloud of dots, one mark
            trace.update(type="scatter", mode="markers", points=int(a["data-dots"]), marker={"color": a.get("stroke")})
        elif tag == "path":  # a line; its points in the plot area's units (0..1000, y down), None where the pen lifts
            trace.update(type="scatter", mode="lines", points=int(a.get("data-points", 0)))
            trace["line"] = {"width": float(a.get("stroke-width", 2))}
            for move in re.findall(r"([ML])([-\d.]+) ([-\d.]+)", a.get("d", "")):
                if move[0] == "M" and trace["x"]:
                    trace["x"].append(None)
                    trace["y"].append(None)
                trace["x"].append(float(move[1]))
                trace["y"].append(float(move[2]))
            missing = trace["points"] - len(trace["x"])  # the points the pen skipped at the end
            trace["x"] += [None] * missing
            trace["y"] += [None] * missing


def html_figure(body: str) -> dict:
    """{"data": [trace, ...], "layout": {"height": ...}, "key": ..., "alt": ...} of one HTML chart."""
    parser = _Marks()
    parser.feed(body)
    root = parser.root
    return {
        "data": list(parser.traces.values()),
        # the marks' coordinates are the plot area's: 0..1000 on both axes
        "layout": {
            "height": int(root.get("data-height", 0)),
            "xaxis": {"range": [0, 1000]},
            "yaxis": {"range": [0, 1000]},
        },
        "key": root.get("data-key", ""),
        "alt": root.get("aria-label", ""),
    }


def figures(at) -> list[tuple[str, dict]]:
    """(key, figure) of every chart of the run, in page order within each kind (plotly, then HTML charts)."""
    out = []
    for element in at.get("plotly_chart"):
        figure = json.loads(element.proto.spec)
        figure["alt"] = element.proto.alt
        out.append((element.proto.id, figure))
    for element in at.markdown:
        if 'class="dgm-chart"' in element.value:
            figure = html_figure(element.value)
            out.append((figure["key"], figure))
    return out


def figure(at, key: str) -> dict:
    """The chart whose key contains ``key``."""
    for name, fig in figures(at):
        if key in name:
            return fig
    raise LookupError(f"no chart {key!r} among {[name for name, _ in figures(at)]}")
