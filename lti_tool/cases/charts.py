"""Charts as server-rendered SVG geometry: no script, no inline style (colours come from app.css classes)."""
from ..reports.models import CATEGORIES

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 600, 220, 34, 28, 10


def _scale_max(value: float) -> int:
    """A round top for the axis: 1, 2, 5, 10, 20, 50 …"""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if value <= step * factor:
                return step * factor
        step *= 10


def _ticks(top: int, plot_h: float) -> list[dict]:
    """Axis ticks at whole numbers only (a count has no half): 0, the middle when whole, and the top."""
    values = sorted({0, top} | ({top // 2} if top % 2 == 0 and top >= 2 else set()))
    return [{"y": round(HEIGHT - BOTTOM - plot_h * value / top, 1), "value": value} for value in values]


def stacked_months(months: list, month_label) -> dict:
    """Reports per month stacked by category: bars with a class per category, axis ticks, labels."""
    top = _scale_max(max([m.total for m in months] + [1]))
    plot_h, plot_w = HEIGHT - BOTTOM - TOP, WIDTH - LEFT - 6
    slot = plot_w / max(len(months), 1)
    bars, labels = [], []
    for n, month in enumerate(months):
        x, y = LEFT + n * slot + slot * 0.15, HEIGHT - BOTTOM
        for index, category in enumerate(CATEGORIES):
            count = month.counts.get(category, 0)
            if not count:
                continue
            h = plot_h * count / top
            y -= h
            bars.append({"x": round(x, 1), "y": round(y, 1), "w": round(slot * 0.7, 1), "h": round(h, 1),
                         "cls": f"cat-{index}", "title": f"{month_label(month)}: {count}", "category": category})
        labels.append({"x": round(LEFT + n * slot + slot / 2, 1), "y": HEIGHT - 10, "text": month_label(month),
                       "total": month.total, "odd": n % 2 == 1})
    return {"width": WIDTH, "height": HEIGHT, "left": LEFT, "bars": bars, "labels": labels,
            "ticks": _ticks(top, plot_h), "baseline": HEIGHT - BOTTOM}


def month_bars(months: list, value, month_label) -> dict:
    """One bar per month (e.g. median hours to first response); missing values leave a gap."""
    values = [value(m) for m in months]
    top = _scale_max(max([v for v in values if v] + [1]))
    plot_h, plot_w = HEIGHT - BOTTOM - TOP, WIDTH - LEFT - 6
    slot = plot_w / max(len(months), 1)
    bars, labels = [], []
    for n, (month, v) in enumerate(zip(months, values)):
        if v:
            h = plot_h * v / top
            bars.append({"x": round(LEFT + n * slot + slot * 0.15, 1), "y": round(HEIGHT - BOTTOM - h, 1),
                         "w": round(slot * 0.7, 1), "h": round(h, 1), "cls": "bar", "title": f"{month_label(month)}: {v}"})
        labels.append({"x": round(LEFT + n * slot + slot / 2, 1), "y": HEIGHT - 10, "text": month_label(month),
                       "odd": n % 2 == 1})
    return {"width": WIDTH, "height": HEIGHT, "left": LEFT, "bars": bars, "labels": labels,
            "ticks": _ticks(top, plot_h), "baseline": HEIGHT - BOTTOM}
