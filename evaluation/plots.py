"""PNG plots of an evaluation summary: reliability diagram and per-field F1 bars (Agg backend)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evaluation.report import ABBR


def plot_summary(summary: dict[str, Any], out: Path) -> Path:
    """Write a two-panel PNG: reliability diagram (left), F1 per field and dataset (right)."""
    import matplotlib

    matplotlib.use("Agg")  # no display; must precede the pyplot import
    import matplotlib.pyplot as plt

    fig, (ax_rel, ax_f1) = plt.subplots(1, 2, figsize=(15, 5.5), width_ratios=[1, 2.2])
    _reliability(ax_rel, summary["calibration"]["overall"])
    _f1_bars(ax_f1, summary)
    meta = summary["meta"]
    fig.suptitle(f"cvassist eval: parser {meta['parser']}, {meta['n_docs']} docs")
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def _reliability(ax: Any, cal: dict[str, Any]) -> None:
    """Accuracy per confidence bin against the diagonal; bar width shows the bin."""
    bins = [b for b in cal["bins"] if b["count"]]
    ax.plot([0, 1], [0, 1], "--", color="grey", label="perfect calibration")
    if bins:
        ax.bar(
            [(b["lo"] + b["hi"]) / 2 for b in bins],
            [b["accuracy"] for b in bins],
            width=[(b["hi"] - b["lo"]) * 0.9 for b in bins],
            alpha=0.7,
            label="accuracy",
        )
        ax.plot([b["mean_confidence"] for b in bins], [b["accuracy"] for b in bins], "o-", ms=4)
    ece = cal["ece"]
    ax.set_title(f"Reliability (n={cal['n']}, ECE={ece:.3f})" if ece is not None else "Reliability")
    ax.set_xlabel("confidence")
    ax.set_ylabel("share correct")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(loc="upper left")


def _f1_bars(ax: Any, summary: dict[str, Any]) -> None:
    """Grouped bars: one group per field, one bar per dataset plus ALL."""
    groups = {"ALL": summary["overall"], **summary["by_dataset"]}
    fields = list(summary["overall"]["fields"])
    width = 0.8 / max(1, len(groups))
    for k, (name, g) in enumerate(groups.items()):
        xs = [i + k * width for i in range(len(fields))]
        ys = [_f1_or_nan(g, f) for f in fields]
        ax.bar(xs, ys, width=width, label=name)
    ax.set_xticks([i + 0.4 - width / 2 for i in range(len(fields))])
    ax.set_xticklabels([ABBR.get(f, f) for f in fields], rotation=45, ha="right")
    ax.set_ylim(0, 1)
    ax.set_ylabel("F1")
    ax.set_title("F1 per field")
    ax.legend(fontsize=8, ncols=3)


def _f1_or_nan(group: dict[str, Any], field: str) -> float:
    """F1 of a field in a slice; NaN (no bar) when the slice does not annotate it."""
    f1 = (group["fields"].get(field) or {}).get("f1")
    return float("nan") if f1 is None else float(f1)
