"""Simple figures drawn as HTML and SVG (ui/html_chart.py): the marks say what the figure says, in the right
places; text stays text; anything not drawn there stays a plotly chart; in a real browser a page of such charts
paints its bars without loading plotly's JavaScript."""

from __future__ import annotations

import re

import numpy as np
import plotly.graph_objects as go
import pytest

from tests.chart_helpers import html_figure
from ui import charts, html_chart


def _rects(body: str) -> list[dict]:
    return [dict(re.findall(r'([\w-]+)="([^"]*)"', tag)) for tag in re.findall(r"<rect [^>]*>", body)]


def test_distribution_bars_have_the_figures_values_heights_and_labels():
    probs = [0.1, 0.6, 0.3]
    body = html_chart.draw(charts.distribution_bars(probs, ["a", "b", "c"], chosen=1, title="p"), "alt text", "k")
    fig = html_figure(body)
    assert fig["key"] == "k" and fig["alt"] == "alt text"
    (bars,) = fig["data"]
    assert bars["x"] == ["a", "b", "c"] and bars["y"] == pytest.approx(probs)
    assert bars["text"] == ["0.10", "0.60", "0.30"]
    assert bars["marker"]["color"] == [charts.OTHER_COLOR, charts.CHOSEN_COLOR, charts.OTHER_COLOR]
    rects = _rects(body)
    heights = np.array([float(r["height"]) for r in rects])
    assert heights / heights.sum() == pytest.approx(np.array(probs), abs=1e-3)  # height in proportion to p
    xs = [float(r["x"]) for r in rects]
    assert xs == sorted(xs)  # in the order given, left to right
    top = float(rects[1]["y"])  # the axis runs to 1.2 x the largest bar (the figure's range): room for its label
    assert top == pytest.approx(1000 * (1 - 0.6 / 0.72), abs=0.2)


def test_grouped_and_horizontal_bars_share_a_band_and_keep_reversed_order():
    fig = charts.paired_bars(["x", "y"], [1.0, 2.0], "first", ["y", "z"], [3.0, 4.0], "second", "v", horizontal=True)
    body = html_chart.draw(fig, "alt", "pair")
    parsed = html_figure(body)
    assert [t["name"] for t in parsed["data"]] == ["first", "second"]
    assert all(t["orientation"] == "h" for t in parsed["data"])
    rects = {(r["data-series"], r["data-label"]): r for r in _rects(body)}
    assert float(rects["first", "x"]["y"]) < float(rects["first", "y"]["y"]) < float(rects["second", "z"]["y"])
    # the two bars of "y" lie side by side in one band, the second series below the first
    assert float(rects["first", "y"]["y"]) < float(rects["second", "y"]["y"])
    widths = {key: float(r["width"]) for key, r in rects.items()}
    assert widths["second", "z"] == pytest.approx(2 * widths["first", "y"], rel=1e-3)  # 4 against 2, from 0


def test_lines_markers_and_a_density_histogram():
    xs = np.linspace(-3, 3, 7)
    fig = charts.lines({"a": list(np.sin(xs)), "b": (list(xs), list(xs / 3))}, "step", "value", title="t")
    body = html_chart.draw(fig, "alt", "")
    parsed = html_figure(body)
    assert [(t["name"], t["mode"], t["points"]) for t in parsed["data"]] == [("a", "lines", 7), ("b", "lines", 7)]
    assert "step" in body and "value" in body and ">t<" in body

    samples = np.random.default_rng(0).normal(size=2000)
    density = html_chart.draw(charts.density_plot(samples, {"true p": (xs, np.exp(-(xs**2) / 2))}), "alt", "")
    bins = [r for r in _rects(density) if r.get("data-series") == "data"]
    assert len(bins) == 60
    values = np.array([float(r["data-value"]) for r in bins])
    edges = [float(r["data-label"]) for r in bins]
    width = (max(edges) - min(edges)) / 59
    assert (values * width).sum() == pytest.approx(1.0, abs=1e-6)  # a density: the bins' area is one
    assert 'stroke-dasharray="7 4"' in density  # the true curve is dashed, as the plotly figure says

    stars = html_chart.draw(charts.scatter_classes(np.eye(3)[:, :2], [0, 1, 2], highlight=(0.5, 0.5)), "alt", "")
    points = {t["name"]: t for t in html_figure(stars)["data"]}
    assert points["class 1"]["x"] == [0.0] and points["class 1"]["y"] == [1.0]
    assert points["your point"]["x"] == [0.5] and "★" in stars


def test_text_is_escaped_and_line_breaks_show_as_a_symbol():
    fig = charts.distribution_bars([0.5, 0.5], ['<img src=x onerror="alert(1)">', "\n"], title="<b>t</b>")
    body = html_chart.draw(fig, 'say "hi" <now>', "")
    assert "<img" not in body and "<b>" not in body
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in body and "↵" in body
    assert 'aria-label="say &quot;hi&quot; &lt;now&gt;"' in body


def test_figures_it_does_not_draw_stay_plotly():
    assert html_chart.draw(charts.heatmap(np.zeros((3, 3))), "alt", "") is None
    assert html_chart.draw(charts.attention_strip([0.2, 0.8], ["a", "b"]), "alt", "") is None  # numeric bars
    assert html_chart.draw(go.Figure(go.Scatter(x=[1], y=[1], mode="text", text=["a"])), "alt", "") is None
    assert html_chart.draw(charts.realness_strip([0.9], [0.1], 0.5, "mine"), "alt", "") is None  # box plot


def test_a_log_axis_labels_powers_of_ten():
    fig = charts.paired_bars(["a"], [3.0], "one", ["b"], [3000.0], "two", "cost", log_y=True, horizontal=True)
    body = html_chart.draw(fig, "alt", "")
    ticks = re.findall(r"translateX\(-50%\);white-space:pre;\">([^<]*)<", body)
    assert ticks and all(re.fullmatch(r"[\d,.]+", t) for t in ticks)
    assert {"10", "100", "1,000"} <= set(ticks)  # the axis starts just under the smallest bar (3)
    assert all(float(r["width"]) > 0 for r in _rects(body))  # bars start at the axis, not at 0


@pytest.mark.browser
def test_a_page_of_simple_charts_paints_its_bars_without_plotlys_javascript(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    scripts: list[str] = []
    page.on("request", lambda r: scripts.append(r.url) if r.url.endswith(".js") else None)
    page.goto(f"{server}/budget")
    page.wait_for_selector("figure.dgm-chart rect", timeout=60_000)
    sizes = "rs => rs.map(r => { const b = r.getBoundingClientRect(); return [b.width, b.height]; })"
    boxes = page.eval_on_selector_all("figure.dgm-chart rect", sizes)
    assert len(boxes) >= 3 and all(w > 5 and h > 5 for w, h in boxes)  # the SVG survived, stretched over the plot
    title = page.eval_on_selector("figure.dgm-chart rect", "r => r.querySelector('title').textContent")
    assert ":" in title  # a tooltip with the bar's value
    assert not any("PlotlyChart" in url for url in scripts), [u for u in scripts if "Plotly" in u]
    page.close()


def test_a_text_block_shows_text_as_it_is():
    """layout.text_block (the text page's sentence and tokens): escaped, no blank line that would end the HTML
    block and let markdown read the rest, no $ for the math renderer."""
    from ui import layout

    shown = []

    class Where:
        def markdown(self, body, unsafe_allow_html=False):
            shown.append((body, unsafe_allow_html))

    layout.text_block('<script>alert("x")</script>\n\n*not bold* $x$ ␣', Where())
    ((body, unsafe),) = shown
    assert unsafe and body.startswith('<div class="dgm-text"') and "\n" not in body
    assert "<script>" not in body and "&lt;script&gt;" in body and "&#10;&#10;" in body and "$" not in body
    from types import SimpleNamespace

    from tests.apptest_helpers import text_blocks

    run = SimpleNamespace(markdown=[SimpleNamespace(value=body)])  # what AppTest holds after the run
    assert text_blocks(run) == ['<script>alert("x")</script>\n\n*not bold* $x$ ␣']


@pytest.mark.parametrize(
    ("low", "high", "labels"),
    [
        (-5.0, 6.0, ["-5.0", "-2.5", "0.0", "2.5", "5.0"]),
        (0.0, 1.2, ["0.00", "0.25", "0.50", "0.75", "1.00"]),
        (0.0, 12.0, ["0.0", "2.5", "5.0", "7.5", "10.0"]),
        (0.0, 100.0, ["0", "20", "40", "60", "80", "100"]),
    ],
)
def test_tick_labels_print_the_ticks_values_exactly(low, high, labels):
    """A step of 2.5 or 0.25 keeps its decimals: the labels read -2.5 and 0.25, not -2 and 0.2."""
    from ui.html_chart import _Axis

    axis = _Axis({"range": [low, high]}, [], [], bars_from_zero=False, pad=0.0)
    assert [label for _, label in axis.ticks()] == labels


def test_an_equal_aspect_plot_and_its_x_ticks_share_one_width():
    """A square plot (one unit as long on both axes) is narrower than its column: its x tick labels take the
    plot's width, not the column's, so each stands under the point it labels (z = 0 stood at about -0.7)."""
    fig = go.Figure(go.Scatter(x=[-4.0, 4.0], y=[-4.0, 4.0], mode="markers"))
    fig.update_layout(yaxis=dict(scaleanchor="x"), height=420)
    body = html_chart.draw(fig, "alt", "")
    widths = re.findall(r"width:min\(100%,[\d.]+rem\);justify-self:start;", body)
    plot = re.search(r'grid-row:1;grid-column:3;[^"]*', body).group(0)
    ticks = re.search(r'grid-row:2;grid-column:3;[^"]*', body).group(0)
    assert len(widths) >= 3 and widths[0] in plot and widths[0] in ticks, (plot, ticks)
    assert "grid-template-rows:auto auto auto" in body  # the plot's height follows its width; the y ticks too


def test_the_2d_pictures_clouds_are_drawn_here_as_one_mark_each():
    """The 2D pictures' WebGL scatters (1,500 data points, 400 particles) are drawn as SVG, not by plotly: a cloud
    of more than ``MANY_DOTS`` dots is one mark with one tooltip, a small one keeps a dot (and its values) per point;
    the arrows are segments that lift the pen between arrows."""
    data = np.random.default_rng(0).uniform(-2, 2, size=(1500, 2))
    grid = np.array([[x, y] for x in (-1.0, 0.0, 1.0) for y in (-1.0, 0.0, 1.0)])
    particles = np.concatenate([data[:3], [[10.0, 0.0]]])  # the last outside the plane shown: not drawn (clipped)
    fig = charts.particles(particles, data, (grid, -0.5 * grid), extent=2.5, title="t")
    body = html_chart.draw(fig, "alt", "toy")
    assert body is not None and "plotly" not in body
    traces = {t["name"]: t for t in html_figure(body)["data"]}
    assert traces["data"]["points"] == 1500 and traces["data"]["x"] == []  # one mark for the cloud
    assert len(re.findall(r'data-series="data"', body)) == 1 and "data: 1,500 points" in body
    assert len(traces["particles"]["x"]) == 3  # a few particles: a dot each, with its values
    arrows = next(t for name, t in traces.items() if name.startswith("pull"))
    assert arrows["mode"] == "lines" and len(arrows["x"]) == 3 * len(grid)  # start, end, pen up: per arrow
    assert html_chart.MANY_DOTS < 400  # the 2D picture's 400 particles are a cloud too


def test_numbers_given_as_text_on_a_linear_axis_are_numbers_and_a_fixed_range_clips():
    """As plotly: on an axis typed linear, "1", "2", "4" are the numbers 1, 2, 4 (not categories, not off the
    plot); a chart with a fixed range hides what lies outside it, a chart ranged from its data shows every mark
    whole; a size per point or a colour scale is left to plotly."""
    fig = charts.lines({"a": (["1", "2", "4"], [0.0, 1.0, 2.0])}, x_title="x", y_title="y")
    body = html_chart.draw(fig, "alt", "")
    (line,) = html_figure(body)["data"]
    xs = [v for v in line["x"] if v is not None]
    assert len(xs) == 3 and 0 <= min(xs) and max(xs) <= 1000  # inside the plot area
    assert (xs[1] - xs[0]) / (xs[2] - xs[1]) == pytest.approx(0.5, abs=0.01)  # 1 -> 2 is half of 2 -> 4
    assert "overflow:visible" in body
    fixed = go.Figure(go.Scatter(x=[0.0, 9.0], y=[0.0, 9.0], mode="lines"))
    fixed.update_layout(xaxis=dict(range=[0, 1]), yaxis=dict(range=[0, 1]))
    assert "overflow:hidden" in html_chart.draw(fixed, "alt", "")
    sized = go.Figure(go.Scattergl(x=[0.0, 1.0], y=[0.0, 1.0], mode="markers", marker=dict(size=[3, 9])))
    assert html_chart.draw(sized, "alt", "") is None
