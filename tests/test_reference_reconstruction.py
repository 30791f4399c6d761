"""Statistics of reconstructed IPD against R (fixtures from tests/reference/reconstruction.R).

The fixture data are the IPD that kmrecon reconstructs from the bundled demo curves; the first test
pins that chain, the others compare kmrecon's statistics on those data with R's survival package.
Tolerances: closed-form estimators rtol 1e-10; Cox (iterative) rtol 1e-6.
"""

from __future__ import annotations

import importlib.util
import json

import numpy as np
import pandas as pd
import pytest

import compare
from tests.conftest import REFERENCE

FIXTURE = json.loads((REFERENCE / "reconstruction_reference.json").read_text())["records"]
DATA = REFERENCE / "data" / "demo_reconstructed_ipd.csv"


def _values(key):
    return FIXTURE[key]["values"]


@pytest.fixture(scope="module")
def ipd():
    return pd.read_csv(DATA)


def test_reconstruction_reproduces_the_fixture_data():
    spec = importlib.util.spec_from_file_location("reconstruction_data", REFERENCE / "reconstruction_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    now = module.reconstructed_frame()
    then = pd.read_csv(DATA)
    assert now["arm"].tolist() == then["arm"].tolist()
    np.testing.assert_array_equal(now["event"].to_numpy(), then["event"].to_numpy())
    np.testing.assert_allclose(now["time"].to_numpy(), then["time"].to_numpy(), rtol=1e-15, atol=0)


@pytest.mark.parametrize("arm", ["Control", "Experimental"])
def test_km_median_landmarks_match_survfit(ipd, arm):
    rows = ipd[ipd["arm"] == arm]
    km = compare.kaplan_meier(rows["time"], rows["event"], conf_type="log-log")
    ref = _values(f"km/{arm}")
    np.testing.assert_allclose(km.time[km.time > 0], ref["time"], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(km.survival[km.time > 0], ref["surv"], rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(km.n_at_risk[km.time > 0], ref["n_risk"])
    med = compare.median_survival(km)
    ref = _values(f"median/{arm}")
    np.testing.assert_allclose([med.time, med.conf_low], [ref["median"], ref["lower"]], rtol=1e-10)
    if ref["upper"] is None:
        assert np.isnan(med.conf_high)
    else:
        np.testing.assert_allclose(med.conf_high, ref["upper"], rtol=1e-10)
    marks = compare.landmark_survival(km, [6.0, 12.0])
    ref = _values(f"landmark/{arm}")
    np.testing.assert_allclose(marks.survival, ref["surv"], rtol=1e-10)
    np.testing.assert_allclose(marks.conf_low, ref["lower"], rtol=1e-10)
    np.testing.assert_allclose(marks.conf_high, ref["upper"], rtol=1e-10)


def test_cox_and_logrank_match_coxph_and_survdiff(ipd):
    hr = compare.cox_hr(ipd["time"], ipd["event"], ipd["arm"], reference="Control")
    ref = _values("coxph")
    np.testing.assert_allclose([hr.hazard_ratio, hr.conf_low, hr.conf_high], [ref["hr"], ref["lower"], ref["upper"]],
                               rtol=1e-6)
    lr = compare.logrank_test(ipd["time"], ipd["event"], ipd["arm"])
    ref = _values("survdiff")
    np.testing.assert_allclose([lr.statistic, lr.p_value], [ref["chisq"], ref["p"]], rtol=1e-10)
