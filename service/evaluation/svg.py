"""Small inline SVG charts (no plotting library): grouped bars, a histogram and a reliability
diagram."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

PALETTE = ("#2f6db5", "#e07b39", "#3a9e5c", "#b5452f", "#7a5cb5", "#8c8c8c")


def grouped_bars(
    labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]], title: str
) -> str:
    """Bars in 0..1, one group per label and one colour per series; None leaves a gap."""
    width, left, bottom, top = 760, 60, 80, 34 + 14 * len(series)
    height = top + 200 + bottom
    plot_h = height - bottom - top
    group_w = (width - left - 10) / max(1, len(labels))
    bar_w = group_w * 0.8 / max(1, len(series))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title)}" class="chart">',
        f'<text x="{left}" y="18" class="title">{escape(title)}</text>',
    ]
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        y = top + plot_h * (1 - tick)
        parts.append(
            f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
        )
        parts.append(
            f'<text x="{left - 4}" y="{y + 4:.1f}" class="axis" text-anchor="end">{tick:g}</text>'
        )
    for g, label in enumerate(labels):
        x0 = left + g * group_w + group_w * 0.1
        for s, (name, values) in enumerate(series):
            value = values[g] if g < len(values) else None
            if value is None:
                continue
            h = plot_h * max(0.0, min(1.0, value))
            x = x0 + s * bar_w
            parts.append(
                f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w - 2:.1f}" '
                f'height="{h:.1f}" fill="{PALETTE[s % len(PALETTE)]}">'
                f"<title>{escape(name)} · {escape(label)}: {value:.3f}</title></rect>"
            )
        cx = x0 + group_w * 0.4
        parts.append(
            f'<text x="{cx:.1f}" y="{height - bottom + 14}" class="axis" text-anchor="end" '
            f'transform="rotate(-35 {cx:.1f} {height - bottom + 14})">{escape(label)}</text>'
        )
    for s, (name, _) in enumerate(series):
        x = left + 200
        y = 14 + s * 14
        parts.append(
            f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{PALETTE[s % len(PALETTE)]}"/>'
        )
        parts.append(f'<text x="{x + 14}" y="{y}" class="axis">{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def histogram(
    values: Sequence[float],
    title: str,
    bins: int = 20,
    unit: str = "ms",
    marks: Sequence[tuple[str, float]] = (),
) -> str:
    """A histogram of the values with equal-width bins; `marks` draws labelled vertical lines."""
    width, height, left, bottom, top = 760, 240, 40, 40, 30
    plot_w, plot_h = width - left - 10, height - bottom - top
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title)}" class="chart">',
        f'<text x="{left}" y="18" class="title">{escape(title)}</text>',
    ]
    if not values:
        parts.append(f'<text x="{left}" y="{top + 20}" class="axis">no data</text></svg>')
        return "".join(parts)
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    counts = [0] * bins
    for value in values:
        counts[min(bins - 1, int((value - low) / span * bins))] += 1
    peak = max(counts)
    bar_w = plot_w / bins
    for i, count in enumerate(counts):
        h = plot_h * count / peak
        lo = low + span * i / bins
        parts.append(
            f'<rect x="{left + i * bar_w:.1f}" y="{top + plot_h - h:.1f}" '
            f'width="{bar_w - 1:.1f}" height="{h:.1f}" fill="{PALETTE[0]}">'
            f"<title>{lo:.0f}–{lo + span / bins:.0f} {unit}: {count}</title></rect>"
        )
    for i, (name, at) in enumerate(marks):
        x = left + plot_w * (at - low) / span
        y = top + 10 + 12 * i
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{top + plot_h}" class="mark" '
            f'stroke="{PALETTE[3]}" stroke-dasharray="4 3"/>'
            f'<text x="{x + 3:.1f}" y="{y}" class="axis">{escape(name)} {at:.0f} {unit}</text>'
        )
    parts.append(f'<text x="{left}" y="{height - 20}" class="axis">{low:.0f} {unit}</text>')
    parts.append(
        f'<text x="{width - 10}" y="{height - 20}" class="axis" text-anchor="end">'
        f"{high:.0f} {unit}</text>"
    )
    parts.append(f'<text x="{left - 4}" y="{top + 8}" class="axis" text-anchor="end">{peak}</text>')
    parts.append("</svg>")
    return "".join(parts)


def reliability_diagram(bins: Sequence[Mapping[str, float | int | None]], title: str) -> str:
    """Each non-empty bin as a point at (mean confidence, share right), its area by its size
    and labelled with it, over the diagonal a calibrated confidence lies on; the bins' edges
    are the grid."""
    side, left, top, bottom = 300, 50, 44, 40
    width, height = left + side + 50, top + side + bottom

    def x(v: float) -> float:
        return left + side * v

    def y(v: float) -> float:
        return top + side * (1 - v)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title)}" class="chart reliability">',
        f'<text x="{left}" y="18" class="title">{escape(title)}</text>',
    ]
    for tick in (0.0, 0.2, 0.4, 0.6, 0.8, 1.0):
        parts.append(
            f'<line x1="{x(tick):.1f}" x2="{x(tick):.1f}" y1="{top}" y2="{top + side}" '
            f'class="grid"/><line x1="{left}" x2="{left + side}" y1="{y(tick):.1f}" '
            f'y2="{y(tick):.1f}" class="grid"/>'
            f'<text x="{x(tick):.1f}" y="{top + side + 14}" class="axis" '
            f'text-anchor="middle">{tick:g}</text>'
            f'<text x="{left - 4}" y="{y(tick) + 4:.1f}" class="axis" '
            f'text-anchor="end">{tick:g}</text>'
        )
    parts.append(
        f'<line x1="{x(0):.1f}" y1="{y(0):.1f}" x2="{x(1):.1f}" y2="{y(1):.1f}" '
        f'class="diagonal" stroke="{PALETTE[5]}" stroke-dasharray="4 3"/>'
    )
    peak = max((int(b["n"] or 0) for b in bins), default=0)
    for b in bins:
        n, mean, right = int(b["n"] or 0), b["mean_confidence"], b["right_share"]
        if not n or mean is None or right is None:
            continue
        radius = 3 + 9 * (n / peak) ** 0.5
        parts.append(
            f'<circle cx="{x(float(mean)):.1f}" cy="{y(float(right)):.1f}" r="{radius:.1f}" '
            f'fill="{PALETTE[0]}" fill-opacity="0.7" class="bin">'
            f"<title>confidence {b['lo']:g}–{b['hi']:g}: n={n}, mean confidence "
            f"{float(mean):.3f}, right share {float(right):.3f}</title></circle>"
            f'<text x="{x(float(mean)) + radius + 2:.1f}" y="{y(float(right)) + 4:.1f}" '
            f'class="axis">n={n}</text>'
        )
    parts.append(
        f'<text x="{left + side / 2}" y="{height - 6}" class="axis" text-anchor="middle">'
        "mean confidence</text>"
        f'<text x="12" y="{top + side / 2}" class="axis" text-anchor="middle" '
        f'transform="rotate(-90 12 {top + side / 2})">share right</text></svg>'
    )
    return "".join(parts)
