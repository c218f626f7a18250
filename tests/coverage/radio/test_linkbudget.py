"""Link budget: N_RB tables, RSRP and noise per RE, SINR, CQI tables, throughput (TS 36.101, 38.101-1, 36.213,
38.214, 38.306)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from coverage._errors import CoverageError
from coverage.radio.linkbudget import (
    BOLTZMANN_DBM_HZ,
    cqi_from_sinr,
    cqi_table,
    eirp_dbm,
    noise_per_re_dbm,
    resource_blocks,
    rsrp_per_re_dbm,
    sinr_db,
    spectral_efficiency_from_sinr,
    throughput_mbps,
)


# --------------------------------------------------------------------------------------------- power, N_RB
def test_eirp():
    # 46 dBm + 17 dBi - 2 dB feeder = 61 dBm
    assert eirp_dbm(46.0, 17.0, 2.0)[()] == pytest.approx(61.0)
    np.testing.assert_allclose(eirp_dbm([40.0, 43.0], 15.0), [55.0, 58.0])


def test_resource_blocks_lte():
    # TS 36.101 Table 5.6-1
    np.testing.assert_array_equal(resource_blocks([1.4, 3, 5, 10, 15, 20]), [6, 15, 25, 50, 75, 100])


def test_resource_blocks_nr_spot_checks():
    # TS 38.101-1 Table 5.3.2-1: 100 MHz @ 30 kHz -> 273; 20 MHz @ 15 kHz -> 106 (LTE: 100); 40 MHz @ 60 kHz -> 51
    assert resource_blocks(100, 30, technology="5G")[()] == 273
    assert resource_blocks(20, 15, technology="5G")[()] == 106
    assert resource_blocks(40, 60, technology="NR")[()] == 51
    np.testing.assert_array_equal(
        resource_blocks([5, 10, 15, 20, 25, 30, 35, 40, 45, 50], 15, technology="5G"),
        [25, 52, 79, 106, 133, 160, 188, 216, 242, 270],
    )
    np.testing.assert_array_equal(
        resource_blocks([[5, 10, 50], [60, 80, 100]], 30, technology="5G"), [[11, 24, 133], [162, 217, 273]]
    )


def test_resource_blocks_technology_from_scs_when_omitted():
    # 15 kHz without a technology is LTE (20 MHz -> 100, TS 36.101); 30 kHz can only be NR (100 MHz -> 273)
    assert resource_blocks(20, 15)[()] == 100
    assert resource_blocks(100, 30)[()] == 273
    assert resource_blocks(20, 15, technology="5G")[()] == 106  # NR at 15 kHz must be asked for


@pytest.mark.parametrize(
    ("bw", "scs", "tech"),
    [(25, 15, "4G"), (20, 30, "4G"), (100, 15, "5G"), (5, 60, "5G"), (20, 120, "5G"), (20.05, 15, "5G")],
)
def test_resource_blocks_unknown_combination(bw, scs, tech):
    with pytest.raises(CoverageError):
        resource_blocks(bw, scs, technology=tech)


def test_unknown_technology():
    with pytest.raises(CoverageError, match="unknown technology"):
        cqi_table("3G")


def test_rsrp_per_re():
    # 46 dBm over 100 RB x 12 = 1200 REs: 46 - 10 log10(1200) = 46 - 30.792 = 15.208 dBm
    assert rsrp_per_re_dbm(46.0, 100)[()] == pytest.approx(46.0 - 30.7918, abs=1e-4)
    assert rsrp_per_re_dbm(46.0, 100)[()] == pytest.approx(15.21, abs=0.005)


def test_noise_per_re():
    # -174 + 10 log10(15000) + 7 = -174 + 41.761 + 7 = -125.239 dBm
    assert noise_per_re_dbm(7.0, 15.0) == pytest.approx(-125.24, abs=0.005)
    # 30 kHz doubles the bandwidth: +3.01 dB
    assert noise_per_re_dbm(7.0, 30.0) - noise_per_re_dbm(7.0, 15.0) == pytest.approx(10 * math.log10(2))
    assert BOLTZMANN_DBM_HZ == -174.0


# ------------------------------------------------------------------------------------------------------ SINR
def test_sinr_two_interferers_half_load():
    # S = -70 dBm = 1e-7 mW; I1 = I2 = -80 dBm = 1e-8 mW each; N = -80 dBm = 1e-8 mW; load 0.5:
    # SINR = 1e-7 / (0.5 * 2e-8 + 1e-8) = 1e-7 / 2e-8 = 5 -> 10 log10 5 = 6.990 dB
    expected = 10 * math.log10(5.0)
    assert sinr_db(-70.0, [-80.0, -80.0], -80.0, load=0.5)[()] == pytest.approx(expected)
    # same interference given as the sum in mW
    assert sinr_db(-70.0, 2e-8, -80.0, load=0.5)[()] == pytest.approx(expected)
    # full load: 1e-7 / 3e-8 = 3.333 -> 5.229 dB; no load: SNR = 1e-7 / 1e-8 = 10 dB
    assert sinr_db(-70.0, [-80.0, -80.0], -80.0, load=1.0)[()] == pytest.approx(10 * math.log10(10 / 3))
    assert sinr_db(-70.0, [-80.0, -80.0], -80.0, load=0.0)[()] == pytest.approx(10.0)


def test_sinr_vectorised_and_no_interferer():
    s = np.array([-70.0, -80.0])
    out = sinr_db(s, [np.array([-80.0, -90.0])], -90.0, load=1.0)
    # pixel 0: 1e-7 / (1e-8 + 1e-9) = 9.0909 -> 9.586 dB; pixel 1: 1e-8 / 2e-9 = 5 -> 6.990 dB
    np.testing.assert_allclose(out, [10 * math.log10(1 / 0.11), 10 * math.log10(5)])
    assert sinr_db(-80.0, [], -90.0)[()] == pytest.approx(10.0)  # SNR only


def test_sinr_rejects_bad_load():
    with pytest.raises(ValueError, match="load"):
        sinr_db(-70.0, [], -90.0, load=1.5)


# ------------------------------------------------------------------------------------------------------- CQI
def test_cqi_table_spot_values():
    lte = cqi_table("4G").set_index("cqi")
    nr = cqi_table("5G").set_index("cqi")
    # TS 36.213 Table 7.2.3-1: CQI 15 = 64QAM, 948, 5.5547; CQI 1 = QPSK, 78, 0.1523; CQI 7 = 16QAM 378 1.4766
    assert tuple(lte.loc[15, ["modulation", "code_rate_x1024", "efficiency"]]) == ("64QAM", 948, 5.5547)
    assert tuple(lte.loc[1, ["modulation", "code_rate_x1024", "efficiency"]]) == ("QPSK", 78, 0.1523)
    assert tuple(lte.loc[7, ["modulation", "code_rate_x1024", "efficiency"]]) == ("16QAM", 378, 1.4766)
    # TS 38.214 Table 5.2.2.1-3: CQI 15 = 256QAM, 948, 7.4063; CQI 12 = 256QAM 711 5.5547; CQI 2 = QPSK 193 0.3770
    assert tuple(nr.loc[15, ["modulation", "code_rate_x1024", "efficiency"]]) == ("256QAM", 948, 7.4063)
    assert tuple(nr.loc[12, ["modulation", "code_rate_x1024", "efficiency"]]) == ("256QAM", 711, 5.5547)
    assert tuple(nr.loc[2, ["modulation", "code_rate_x1024", "efficiency"]]) == ("QPSK", 193, 0.3770)
    assert list(lte.index) == list(range(1, 16)) and list(nr.index) == list(range(1, 16))
    assert list(cqi_table("4G").columns) == [
        "table", "cqi", "modulation", "qm", "code_rate_x1024", "efficiency", "sinr_min_db",
    ]  # fmt: skip


@pytest.mark.parametrize("tech", ["4G", "5G"])
def test_cqi_table_internally_consistent(tech):
    t = cqi_table(tech)
    # efficiency = Qm * R / 1024, rounded to 4 decimals in the 3GPP tables (e.g. 6 * 948 / 1024 = 5.55469)
    np.testing.assert_allclose(t["efficiency"], t["qm"] * t["code_rate_x1024"] / 1024, atol=5e-5 + 1e-12)
    # Qm from the modulation name
    qm = t["modulation"].map({"QPSK": 2, "16QAM": 4, "64QAM": 6, "256QAM": 8})
    assert (qm == t["qm"]).all()
    # the documented threshold rule: 10 log10(2^(eff / 0.75) - 1), rounded to 0.01 dB
    rule = 10 * np.log10(2 ** (t["efficiency"] / 0.75) - 1)
    np.testing.assert_allclose(t["sinr_min_db"], rule.round(2), atol=1e-9)


def test_cqi_threshold_spot_value():
    # CQI 15 (4G): 10 log10(2^(5.5547/0.75) - 1) = 10 log10(2^7.40627 - 1) = 10 log10(168.63) = 22.27 dB
    assert cqi_table("4G").set_index("cqi").loc[15, "sinr_min_db"] == pytest.approx(22.27)


def test_cqi_from_sinr_steps():
    # 4G thresholds: CQI 1 at -8.21 dB, CQI 15 at 22.27 dB
    got = cqi_from_sinr([-30.0, -8.22, -8.21, 0.0, 22.26, 22.27, 50.0, np.nan], "4G")
    # 0 dB lies between CQI 4 (-1.29) and CQI 5 (0.97) -> 4
    np.testing.assert_array_equal(got, [0, 0, 1, 4, 14, 15, 15, 0])
    assert got.dtype == np.int64


def test_spectral_efficiency_step_function():
    se = spectral_efficiency_from_sinr([-20.0, -8.21, 25.0, 40.0, np.nan], "5G")
    # below CQI 1 -> 0; CQI 1 -> 0.1523; 25 dB >= 24.98 (CQI 13) -> 6.2266; 40 dB -> CQI 15 7.4063; NaN stays NaN
    np.testing.assert_allclose(se, [0.0, 0.1523, 6.2266, 7.4063, np.nan])


# ------------------------------------------------------------------------------------------------ throughput
def test_throughput_lte_20mhz_2x2_cqi15():
    # 2 layers x 5.5547 bit/s/Hz x 100 RB x 12 subcarriers / (1e-3/14 s) x (1 - 0.14)
    #   = 11.1094 x 1200 x 14000 x 0.86 = 160.509e6 bit/s
    # (for comparison, the LTE category 4 peak, 2 layers of TBS 75376 bits per ms, is 150.8 Mbit/s)
    got = throughput_mbps(30.0, "4G", 20.0, mimo_layers=2)[()]
    assert got == pytest.approx(2 * 5.5547 * 1200 * 14000 * 0.86 / 1e6)
    assert got == pytest.approx(160.51, abs=0.005)


def test_throughput_nr_peak_matches_38306():
    # TS 38.306 §4.1.2, FR1 100 MHz @ 30 kHz (mu = 1, 273 RB), 4 layers, 256QAM R = 948/1024:
    # 4 x 7.4063 x 273 x 12 / (1e-3/28) x 0.86 = 29.6252 x 3276 x 28000 x 0.86 = 2337.0e6 bit/s (~2.34 Gbit/s)
    got = throughput_mbps(35.0, "5G", 100.0, scs_khz=30, mimo_layers=4)[()]
    assert got == pytest.approx(4 * 7.4063 * 3276 * 28000 * 0.86 / 1e6)
    assert got == pytest.approx(2337.0, abs=0.05)


def test_throughput_below_cqi1_is_zero_and_nan_stays_nan():
    out = throughput_mbps([-15.0, np.nan], "4G", 10.0)
    assert out[0] == 0.0 and np.isnan(out[1])


def test_throughput_overhead_and_errors():
    # overhead 0 vs 0.14: ratio 1 / 0.86
    a = throughput_mbps(30.0, "4G", 20.0, overhead=0.0)[()]
    b = throughput_mbps(30.0, "4G", 20.0)[()]
    assert a / b == pytest.approx(1 / 0.86)
    with pytest.raises(CoverageError, match="scs_khz"):
        throughput_mbps(30.0, "5G", 100.0)
    with pytest.raises(ValueError, match="overhead"):
        throughput_mbps(30.0, "4G", 20.0, overhead=1.2)


@given(
    a=st.floats(-40.0, 60.0, allow_nan=False),
    b=st.floats(-40.0, 60.0, allow_nan=False),
    tech=st.sampled_from(["4G", "5G"]),
)
def test_throughput_non_decreasing_in_sinr(a, b, tech):
    lo, hi = min(a, b), max(a, b)
    t = throughput_mbps(np.array([lo, hi]), tech, 20.0, scs_khz=15)
    assert t[0] <= t[1]
    assert t[0] >= 0.0
