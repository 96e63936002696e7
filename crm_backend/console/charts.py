"""The metrics page's charts as inline SVG: built in microseconds from the dashboard (no
plotting library on the page's path, no image requests), with a marker on every point when
there are few days, so one day of data shows as points rather than an empty axis."""

from html import escape

from crm_backend.console.metrics import MARKER_DAYS, Dashboard

WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 672, 230, 40, 12, 22, 46
COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")


def series_of(board: Dashboard, name: str) -> tuple[str, dict[str, list[float | None]], float | None]:
    """(title, label -> value per day, fixed y maximum or None) of one chart."""
    days, daily = board.days, board.daily
    if name == "rates":
        return (
            "Rates per day",
            {
                "containment": [1 - daily[d]["handoffs"] / daily[d]["conversations"] for d in days],
                "handoff rate": [daily[d]["handoffs"] / daily[d]["conversations"] for d in days],
                "fallback rate": [daily[d]["fallbacks"] / daily[d]["conversations"] for d in days],
            },
            1.0,
        )
    if name.startswith("containment_"):
        kind = name.split("_", 1)[1]
        counts_by = board.by_channel if kind == "channel" else board.by_segment
        series = {}
        for label, counts in sorted(counts_by.items()):
            handed = board.handoffs_by.get((kind, label), {})
            series[label] = [1 - handed.get(d, 0) / counts[d] if counts.get(d) else None for d in days]
        return f"Containment per day by {kind}", series, 1.0
    counts_by = {"channel": board.by_channel, "intent": board.by_intent, "segment": board.by_segment}[name]
    series = {label: [float(counts.get(d, 0)) for d in days] for label, counts in sorted(counts_by.items())}
    return f"Conversations per day by {name}", series, None


def svg_chart(board: Dashboard, name: str) -> str:
    title, series, fixed_max = series_of(board, name)
    days = board.days
    values = [v for vs in series.values() for v in vs if v is not None]
    top = fixed_max or max(values, default=1.0) or 1.0
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i: int) -> float:
        return LEFT + (inner_w / 2 if len(days) == 1 else inner_w * i / (len(days) - 1))

    def y(v: float) -> float:
        return TOP + inner_h * (1 - v / top)

    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" data-chart="{escape(name)}">',
        f'<text x="{LEFT}" y="14" font-size="12" font-weight="bold">{escape(title)}</text>',
        f'<line x1="{LEFT}" y1="{TOP + inner_h}" x2="{WIDTH - RIGHT}" y2="{TOP + inner_h}" stroke="#999"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + inner_h}" stroke="#999"/>',
        f'<text x="{LEFT - 4}" y="{TOP + 4}" font-size="9" text-anchor="end">{_number(top)}</text>',
        f'<text x="{LEFT - 4}" y="{TOP + inner_h}" font-size="9" text-anchor="end">0</text>',
    ]
    step = max(1, len(days) // 8)
    for i in range(0, len(days), step):
        parts.append(f'<text x="{x(i):.1f}" y="{HEIGHT - 32}" font-size="9" text-anchor="middle">{days[i][5:]}</text>')
    markers = len(days) <= MARKER_DAYS
    for n, (label, vs) in enumerate(series.items()):
        colour = COLOURS[n % len(COLOURS)]
        points = [(x(i), y(v)) for i, v in enumerate(vs) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="1.5" points="{path}"/>')
        if markers or len(points) == 1:
            parts.extend(
                f'<circle class="marker" cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{colour}"/>' for px, py in points
            )
        legend_x = LEFT + 8 + (n % 4) * 150
        legend_y = HEIGHT - 18 + 12 * ((n // 4) % 2)
        parts.append(f'<text x="{legend_x}" y="{legend_y}" font-size="9" fill="{colour}">■ {escape(label[:22])}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _number(value: float) -> str:
    return f"{value:.0%}" if value <= 1 else f"{value:.0f}"
