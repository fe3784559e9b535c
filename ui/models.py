"""Models page (HR leads, admins): model history, Train now (background), Promote, Rollback and
the champion's reliability chart."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from correction.access import AccessDenied
from correction.models import (
    ModelsPage,
    RegistryError,
    models_page,
    promote_model,
    rollback_model,
    start_training,
)
from data.db import session_scope
from ui.nav import require
from ui.user import current_user

POLL_SECONDS = 3
CHART_HEIGHT = 260
MESSAGE_KEY = "models_message"


def _act(action: str, version: str | None = None) -> None:
    """Button callback: one workflow call; its sentence is shown on the next run."""
    try:
        with session_scope() as session:
            user = current_user()
            if action == "train":
                start_training(session=session, user=user)
                message = ("info", "Training started in the background; this page updates.")
            elif action == "promote":
                if not version:
                    raise RegistryError("Choose the version to promote first.")
                row = promote_model(session=session, user=user, version=version)
                message = ("success", f"Model {row.version} is now the champion.")
            else:
                row = rollback_model(session=session, user=user)
                message = ("success", f"Rolled back: model {row.version} is the champion again.")
    except (AccessDenied, RegistryError) as e:
        message = ("error", str(e))
    except SQLAlchemyError:
        message = ("error", "The model registry could not be updated; please try again.")
    st.session_state[MESSAGE_KEY] = message


def _history(data: ModelsPage) -> None:
    st.subheader("History")
    if not data.rows:
        st.caption("No model has been trained yet: the shipped calibrator is in use.")
        return
    table = pd.DataFrame(
        [
            {
                "champion": "★" if r.champion else "",
                "version": r.version,
                "created": r.created_at,
                "by": r.created_by,
                "status": r.status,
                "corrections": r.n_corrections,
                "holdout score": r.score,
                **{f"{g}": s for g, s in r.group_scores.items()},
                "sha256": r.sha256_short,
                "retrain (erasure)": "yes" if r.needs_retraining else "",
                "note": r.note or "",
            }
            for r in data.rows
        ]
    )
    st.dataframe(table, hide_index=True, width="stretch")
    others = [r.version for r in data.rows if not r.champion]
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    choice = c1.selectbox("Version to promote", others, index=None, placeholder="Choose")
    c1.button("Promote", on_click=_act, args=("promote", choice), disabled=choice is None)
    c2.button("Rollback", on_click=_act, args=("rollback",), help="Back to the previous champion")


def _training(data: ModelsPage) -> None:
    st.subheader("Training")
    s = data.status
    running = s.state == "running"
    st.button("Train now", on_click=_act, args=("train",), disabled=running, type="primary")
    if running:
        st.info(f"Training in the background since {s.started_at} …", icon=":material/sync:")
    elif s.state == "failed":
        st.error(s.message or "The last training run failed.")
    elif s.state == "done" and s.report:
        r = s.report
        verdict = "promoted" if r.get("promoted") else "kept as a candidate, not promoted"
        st.caption(
            f"Last run ({s.finished_at}): model {r.get('version') or '–'} {verdict}; "
            f"{r.get('n_train', 0)} outcomes learnt in {r.get('seconds', 0):.1f} s."
        )
        for reason in r.get("reasons", []):
            st.caption(f"• {reason}")


def _reliability(data: ModelsPage) -> None:
    st.subheader("Reliability of the champion's confidence")
    st.caption(
        "Frozen generated-corpus holdout: how often values were right (y) at each confidence "
        "(x). On the diagonal, a confidence means what it says."
    )
    bins = pd.DataFrame(data.reliability)
    if bins.empty:
        st.caption("No holdout values to chart.")
        return
    diagonal = alt.Chart(pd.DataFrame({"x": [0, 1], "y": [0, 1]})).mark_line(strokeDash=[4, 4])
    points = (
        alt.Chart(bins)
        .mark_line(point=True)
        .encode(
            x=alt.X("mean_confidence:Q", title="confidence", scale=alt.Scale(domain=[0, 1])),
            y=alt.Y("accuracy:Q", title="share correct", scale=alt.Scale(domain=[0, 1])),
            tooltip=["count:Q", "mean_confidence:Q", "accuracy:Q"],
        )
    )
    chart = diagonal.encode(x="x:Q", y="y:Q") + points
    st.altair_chart(chart.properties(height=CHART_HEIGHT), width="stretch")


@st.fragment(run_every=POLL_SECONDS)
def _poll() -> None:
    """While a training run is going, re-run the page when it finishes."""
    with session_scope() as session:
        data = models_page(session=session, user=current_user())
    if data.status.state != "running":
        st.rerun()


def render() -> None:
    """Read the registry (one workflow call) and render history, training and reliability."""
    require("models")
    st.title("Models")
    if message := st.session_state.pop(MESSAGE_KEY, None):
        getattr(st, message[0])(message[1])
    try:
        with session_scope() as session:
            data = models_page(session=session, user=current_user())
    except AccessDenied as e:
        st.error(str(e))
        return
    except SQLAlchemyError:
        st.error("The model registry could not be read; please try again in a moment.")
        return
    st.caption(f"Champion (used for every new parse): **{data.champion}**")
    _training(data)
    if data.status.state == "running":
        _poll()
    _history(data)
    _reliability(data)


render()
