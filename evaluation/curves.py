"""PNG learning curves from `cvassist simulate` results (macro F1 ± std vs corrected CVs)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def plot_curves(results: list[dict[str, Any]], out: Path, *, title: str | None = None) -> Path:
    """Write one PNG: one line per result (its strategy or `label`), shaded ± one std."""
    import matplotlib

    matplotlib.use("Agg")  # no display; must precede the pyplot import
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for res in results:
        budgets = res["budgets"]
        mean, std = res["macro_f1"], res.get("macro_f1_std") or [0.0] * len(budgets)
        label = res.get("label") or f"{res.get('strategy', '?')} ({res.get('seeds', '?')} seeds)"
        ax.plot(budgets, mean, marker="o", label=label)
        lo = [m - s for m, s in zip(mean, std, strict=True)]
        hi = [m + s for m, s in zip(mean, std, strict=True)]
        ax.fill_between(budgets, lo, hi, alpha=0.2)
    ax.set_xlabel("corrected CVs")
    ax.set_ylabel("macro F1 on the test documents")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    first = results[0] if results else {}
    ax.set_title(title or f"Learning curve: pool {first.get('n_pool')}, test {first.get('n_test')}")
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def main_plot(paths: list[Path], out: Path, *, title: str | None = None) -> Path:
    """Plot several saved simulate JSON files on one chart."""
    import json

    return plot_curves([json.loads(p.read_text(encoding="utf-8")) for p in paths], out, title=title)
