"""The registry: artifacts are text and JSON written atomically, and a challenger is promoted
only when it beats the champion on rows the champion never saw."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ml import registry
from ml.live import fit_live, promotion_decision
from ml.risk_model import PROBABILITY_COLUMN
from tests.ml_firm import small_protocol

pytestmark = pytest.mark.slow
CHAMPION_UNTIL = pd.Timestamp("2016-12-30")


@pytest.fixture(scope="module")
def live_model(ml_firm_inputs):
    return fit_live(ml_firm_inputs.panel, ml_firm_inputs.returns, small_protocol())


def specs(inputs):
    return {spec.name: spec for spec in inputs.panel.features}


def test_a_stored_model_predicts_exactly_as_the_fitted_one(ml_firm_inputs, live_model, tmp_path):
    model, X = live_model  # noqa: N806
    path = registry.save_model(model, "v1", {"note": "test"}, root=tmp_path)
    loaded = registry.load_model(path, small_protocol(), specs(ml_firm_inputs))
    frame = ml_firm_inputs.panel.frame
    pd.testing.assert_frame_equal(loaded.predict(X, frame), model.predict(X, frame))
    # Text and JSON only: nothing a loader would unpickle.
    assert {file.suffix for file in path.iterdir()} == {".txt", ".json"}


def test_a_crash_while_saving_leaves_no_artifact_under_the_version(live_model, tmp_path, monkeypatch):
    model, _ = live_model
    real_write = Path.write_text

    def fail_on_the_tail(self, *args, **kwargs):
        if self.name == registry.TAIL_FILE:
            raise OSError("disk full")
        return real_write(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", fail_on_the_tail)
    with pytest.raises(OSError, match="disk full"):
        registry.save_model(model, "v2", {}, root=tmp_path)
    assert not (tmp_path / "v2").exists()


class FixedChampion:
    """A champion that predicts given probabilities; stands in for a model of known quality."""

    def __init__(self, inputs, probabilities) -> None:
        self.inputs_ = inputs
        self.probabilities = probabilities

    def predict(self, X, frame):  # noqa: N803
        return pd.DataFrame(
            {PROBABILITY_COLUMN[target]: self.probabilities(frame, target) for target in PROBABILITY_COLUMN},
            index=X.index,
        )


def decide(inputs, champion):
    return promotion_decision(inputs.panel, inputs.returns, small_protocol(), champion, CHAMPION_UNTIL)


def test_a_challenger_that_beats_the_champion_out_of_sample_is_promoted(ml_firm_inputs, live_model):
    confident_and_wrong = FixedChampion(
        live_model[0].inputs_, lambda frame, target: np.full(len(frame), 0.99)
    )
    decision = decide(ml_firm_inputs, confident_and_wrong)
    assert decision.promote, decision.reason
    assert decision.rows >= 100 and decision.challenger_log_loss < decision.champion_log_loss


def test_a_challenger_that_does_not_beat_the_champion_is_not_promoted(ml_firm_inputs, live_model):
    # A champion that (impossibly) knows the outcomes: no honest challenger beats it.
    def knows_the_outcome(frame, target):
        return np.clip(frame[target].fillna(0.5).to_numpy(), 0.02, 0.98)

    decision = decide(ml_firm_inputs, FixedChampion(live_model[0].inputs_, knows_the_outcome))
    assert not decision.promote
    assert "does not beat" in decision.reason


def test_without_unseen_rows_the_challenger_must_beat_the_champion_on_its_own_training_rows(
    ml_firm_inputs, live_model
):
    last = ml_firm_inputs.panel.frame["as_of_date"].max()
    champion = FixedChampion(live_model[0].inputs_, lambda frame, target: np.full(len(frame), 0.99))
    decision = promotion_decision(
        ml_firm_inputs.panel, ml_firm_inputs.returns, small_protocol(), champion, last, min_rows=50
    )
    assert decision.promote and "in sample for the champion" in decision.reason
