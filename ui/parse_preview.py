"""Parse preview page: upload CVs and see every field with its confidence and source."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from correction.intake import parse_upload
from parsing.model import ParsedCV
from settings import get_settings
from ui.bands import BAND_LABEL, band


def _rows(parsed: ParsedCV, threshold: float) -> pd.DataFrame:
    rows = []
    for path, f in parsed.fields.iter_fields():
        src = f.source
        rows.append(
            {
                "band": BAND_LABEL[band(f.confidence, threshold)],
                "field": path,
                "value": str(f.value)[:200],
                "normalized": "" if f.normalized is None else str(f.normalized)[:120],
                "confidence": f.confidence,
                "page": src.page if src else None,
                "extractor": f.extractor,
            }
        )
    return pd.DataFrame(rows)


def render() -> None:
    """Upload → parse → a table per file."""
    st.title("Parse CVs")
    st.caption(
        "PDF, DOCX or TXT. Every value shows its confidence, its page and the extractor "
        "that found it."
    )
    threshold = get_settings().auto_accept_precision
    files = st.file_uploader(
        "CV files", type=["pdf", "docx", "txt", "md"], accept_multiple_files=True
    )
    for up in files or []:
        parsed = parse_upload(name=up.name, data=up.getvalue())
        with st.expander(f"{up.name} — {parsed.status.value}", expanded=len(files or []) == 1):
            if not parsed.status.usable:
                st.error(parsed.message or "This file could not be parsed.")
                continue
            for w in parsed.warnings:
                st.warning(w)
            if parsed.message:
                st.info(parsed.message)
            st.caption(
                f"{parsed.pages} page(s) · language {parsed.language or '?'} · "
                f"{parsed.parse_ms:.0f} ms · model {parsed.model_version}"
            )
            st.dataframe(
                _rows(parsed, threshold),
                hide_index=True,
                use_container_width=True,
                column_config={
                    "confidence": st.column_config.ProgressColumn(
                        "confidence", min_value=0.0, max_value=1.0, format="%.2f"
                    ),
                },
            )
            st.download_button(
                "Download JSON",
                parsed.to_json(indent=2),
                file_name=f"{up.name}.json",
                mime="application/json",
                key=f"dl-{parsed.sha256}",
            )


render()
