"""Unit tests of .ci/py/verify_qa.py: hand-built rows with known answers per fact family, the
answer parser, the tolerances, and the whole script on a tiny Delta lakehouse + export."""
import calendar
import json
import os
import subprocess
import sys

import pytest
from geographiclib.geodesic import Geodesic

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import verify_qa as vq  # noqa: E402

T0 = calendar.timegm((2024, 6, 1, 10, 0, 0))
G = Geodesic.WGS84


def moved(lat, lon, azi, nm):
    g = G.Direct(lat, lon, azi, nm * vq.NM)
    return g["lat2"], g["lon2"]


def R(dt, lat, lon, sog=None, cog=None, heading=None, nav=None):
    """A shown row dt seconds after T0, lat/lon rounded to 5 decimals as the table shows them."""
    return vq.Row(T0 + dt, round(lat, 5), round(lon, 5), sog, cog, heading, nav)


# --------------------------------------------------------------------------------------- rounding

def test_java_fixed_rounds_the_shortest_decimal_half_up_like_java():
    # values measured with Java 17's String.format
    assert vq.java_fixed(0.15, 1) == "0.2"         # binary 0.1499999..., Java says 0.2
    assert vq.java_fixed(1.005, 2) == "1.01"
    assert vq.java_fixed(55.123455, 5) == "55.12346"
    assert vq.java_fixed(12.345675, 5) == "12.34568"
    assert vq.java_fixed(0.45, 0) == "0"
    assert vq.java_fixed(-0.000001, 5) == "-0.00000"
    assert vq.java_fixed(12.0, 5) == "12.00000"


def test_shown_cog_heading_sog():
    assert vq.shown_cog(359.5) == "0"
    assert vq.shown_cog(359.4) == "359"
    assert vq.shown_cog(12.5) == "13"
    assert vq.shown_cog(None) == "-"
    assert vq.shown_int(511) == "-" and vq.shown_int(None) == "-" and vq.shown_int(7) == "7"
    assert vq.shown_sog(None) == "-" and vq.shown_sog(10.25) == "10.3" and vq.shown_sog(102.2) == "102.2"


# --------------------------------------------------------------------------------- temporal/route

def test_one_nm_north_in_six_minutes_is_ten_knots():
    lat, lon = moved(55.0, 12.0, 0.0, 1.0)
    rows = [R(0, 55.0, 12.0, 9.8, 0), R(360, lat, lon, 10.2, 0)]
    f = vq.window_facts(rows)
    assert f["distance_nm"] == pytest.approx(1.0, abs=0.001)
    assert f["displacement_nm"] == pytest.approx(1.0, abs=0.001)
    assert f["implied_speed_kn"] == pytest.approx(10.0, abs=0.02)
    assert f["max_leg_speed_kn"] == pytest.approx(10.0, abs=0.02)
    assert f["bearing_deg"] == pytest.approx(0.0, abs=0.01) or f["bearing_deg"] == pytest.approx(360, abs=0.01)
    assert f["bearing_compass"] == "north"
    assert f["duration_min"] == 6.0 and f["report_count"] == 2
    assert f["median_interval_s"] == 360 and f["max_gap_min"] == 6.0 and f["max_gap_start"] == T0
    assert f["teleport"] == "no"
    assert f["sog_mean_kn"] == pytest.approx(10.0)
    assert f["behaviour"] == "underway"


def test_bearing_sectors_and_null_bearing_when_barely_moved():
    for azi, label in ((44, "north-east"), (23, "north-east"), (22, "north"), (135, "south-east"),
                       (200, "south"), (247, "south-west"), (248, "west"), (300, "north-west"), (338, "north")):
        lat, lon = moved(10.0, 20.0, azi, 2.0)
        f = vq.window_facts([R(0, 10.0, 20.0), R(600, lat, lon)])
        assert f["bearing_compass"] == label, azi
        assert f["bearing_deg"] == pytest.approx(azi, abs=0.05)
    lat, lon = moved(10.0, 20.0, 90, 0.04)
    f = vq.window_facts([R(0, 10.0, 20.0), R(600, lat, lon)])
    assert f["bearing_deg"] is None and f["bearing_compass"] is None


def test_temporal_median_even_count_and_first_largest_gap():
    rows = [R(t, 55.0, 12.0 + t / 1e5) for t in (0, 10, 70, 100, 160)]   # gaps 10, 60, 30, 60
    f = vq.window_facts(rows)
    assert f["median_interval_s"] == 45.0         # mean of 30 and 60
    assert f["max_gap_min"] == 1.0
    assert f["max_gap_start"] == T0 + 10          # first of the two 60 s gaps
    assert f["duration_min"] == pytest.approx(160 / 60)


def test_partial_speed_uses_rows_a_and_b_of_the_spec():
    # 9 rows: a = floor(8/4) = 2, b = 8 - 2 = 6; legs 2->6 are 4 x 0.5 nm in 4 x 120 s = 15 kn
    pts = [(55.0, 12.0)]
    for _ in range(8):
        pts.append(moved(*pts[-1], 90, 0.5))
    times = [0, 600, 1200, 1320, 1440, 1560, 1680, 3000, 3600]
    rows = [R(t, *p) for t, p in zip(times, pts)]
    assert vq.partial_rows(9) == (2, 6)
    f = vq.window_facts(rows)
    assert f["partial_speed_kn"] == pytest.approx(15.0, abs=0.05)
    assert vq.partial_speed(rows, vq.legs_nm(rows), 3, 3) is None


# -------------------------------------------------------------------------------------- kinematics

def test_sog_statistics_leave_out_missing_and_overflow():
    lat = 55.0
    sogs = [4.0, None, 102.2, 6.0, 9.0, 12.0]
    rows = [R(i * 60, lat + i * 0.001, 12.0, s) for i, s in enumerate(sogs)]
    f = vq.window_facts(rows)
    assert f["sog_mean_kn"] == pytest.approx((4 + 6 + 9 + 12) / 4)
    assert f["sog_max_kn"] == 12.0 and f["sog_min_kn"] == 4.0
    assert f["sog_max_time"] == T0 + 300
    assert f["sog_missing"] == 1 and f["sog_overflow_reports"] == 1
    # t_mid = 150: first half rows at 0, 60, 120 (valid: 4.0), second half 180.. (6, 9, 12)
    assert f["sog_first_half_kn"] == 4.0 and f["sog_second_half_kn"] == 9.0
    assert f["speed_trend"] == "accelerating"
    # consecutive valid pairs: (6, 9) and (9, 12) -> 3.0 (4.0 -> None and 102.2 break pairs)
    assert f["largest_sog_change_kn"] == 3.0


def test_speed_trend_thresholds_and_nulls():
    def trend(first, second):
        rows = [R(0, 55.0, 12.0, first), R(600, 55.001, 12.0, first), R(1200, 55.002, 12.0, second)]
        return vq.window_facts(rows)["speed_trend"]
    assert trend(5.0, 6.0) == "accelerating"
    assert trend(5.0, 5.9) == "steady"
    assert trend(5.0, 4.0) == "decelerating"
    rows = [R(0, 55.0, 12.0, 5.0), R(600, 55.001, 12.0, 5.0), R(1200, 55.002, 12.0, None)]
    f = vq.window_facts(rows)
    assert f["speed_trend"] is None and f["sog_first_half_kn"] is None and f["sog_second_half_kn"] is None


# --------------------------------------------------------------------------------------- behaviour

def test_stop_of_rows_within_100_m_for_six_minutes():
    base = (55.0, 12.0)
    rows = [R(0, *moved(*base, 270, 0.5), 10.0, 90)]                  # arriving
    for k, t in enumerate((60, 120, 180, 240, 300, 360, 420)):        # 6 min within ~40 m
        rows.append(R(t, *moved(*base, 45 * k, 0.01), 0.1, None, None, 5))
    rows.append(R(480, *moved(*base, 90, 0.5), 10.0, 90))             # leaving
    f = vq.window_facts(rows)
    assert vq.stops(rows) == [(1, 7)]
    assert f["stop_count"] == 1
    assert f["first_stop_start"] == T0 + 60
    assert f["longest_stop_min"] == 6.0 and f["stopped_min"] == 6.0
    assert f["stationary_pct"] == pytest.approx(100 * 7 / 9)
    assert f["behaviour"] == "moored"                                # dominant nav 5


def test_no_stop_when_too_short_or_too_wide():
    base = (55.0, 12.0)
    short = [R(t, *moved(*base, 0, 0.005 * (t // 60 % 2))) for t in (0, 60, 120, 180, 240)]
    assert vq.stops(short) == []                                      # 4 min < 300 s
    wide = [R(0, *base), R(200, *moved(*base, 0, 0.04)), R(400, *moved(*base, 0, 0.08))]
    # 0.08 nm = 148 m: rows 0..2 are too wide; 0..1 (74 m) last only 200 s; 1..2 last 200 s
    assert vq.stops(wide) == []
    f = vq.window_facts(wide)
    assert f["stop_count"] == 0 and f["first_stop_start"] is None and f["longest_stop_min"] is None
    assert f["first_stop_min"] is None
    assert f["stopped_min"] == 0


def test_stop_scan_restarts_after_a_stop():
    base = (55.0, 12.0)
    far = moved(*base, 0, 1.0)
    rows = [R(t, *base) for t in (0, 150, 300)] + [R(t, *far) for t in (900, 1100, 1300)]
    assert vq.stops(rows) == [(0, 2), (3, 5)]
    f = vq.window_facts(rows)
    assert f["stop_count"] == 2 and f["longest_stop_min"] == 400 / 60 and f["stopped_min"] == 5 + 400 / 60
    assert f["first_stop_min"] == 5.0 and f["first_stop_start"] == T0


def test_behaviour_labels_and_status_consistency():
    def facts(sog, nav, legs_azi=(0, 0, 0), leg_nm=0.2):
        pts = [(55.0, 12.0)]
        for a in legs_azi:
            pts.append(moved(*pts[-1], a, leg_nm))
        return vq.window_facts([R(i * 60, *p, sog, 0, None, nav) for i, p in enumerate(pts)])
    assert facts(0.1, 1, leg_nm=0.0)["behaviour"] == "at anchor"
    assert facts(0.1, 1, leg_nm=0.0)["status_consistent"] == "yes"
    assert facts(0.1, None, leg_nm=0.0)["behaviour"] == "stationary, status unknown"
    f = facts(12.0, 0)
    assert f["behaviour"] == "underway" and f["status_consistent"] == "yes"
    assert facts(12.0, 5)["status_consistent"] == "no"      # moored but moving
    assert facts(0.1, 0, leg_nm=0.0)["status_consistent"] == "no"
    assert facts(2.0, 0)["behaviour"] == "drifting or loitering"          # slow
    assert facts(8.0, 0, legs_azi=(0, 180, 0, 180))["behaviour"] == "drifting or loitering"  # zig-zag
    assert facts(8.0, 7)["status_consistent"] is None                     # status 7 is not asked
    # no valid SOG: stationary from the implied speed
    assert facts(None, 5, leg_nm=0.001)["behaviour"] == "moored"
    assert facts(None, 0, leg_nm=0.5)["behaviour"] == "underway"          # 30 kn implied


def test_dominant_status_ties_take_the_lowest_code():
    rows = [R(i * 60, 55.0, 12.0, 0.0, None, None, nav) for i, nav in enumerate([5, 1, 5, 1, None])]
    assert vq.dominant_status(rows) == 1
    assert vq.window_facts(rows)["behaviour"] == "at anchor"


def test_starboard_turn_of_40_degrees_in_two_20_degree_steps():
    rows = [R(i * 60, 55.0 + i * 0.003, 12.0, 10.0, c) for i, c in enumerate([90, 110, 130, 130])]
    f = vq.window_facts(rows)
    assert f["turn_count"] == 1
    assert f["largest_turn_deg"] == 40 and f["largest_turn_side"] == "starboard"
    assert f["total_turn_deg"] == 40


def test_port_turn_across_north_and_runs_broken_by_small_changes_or_stopped_rows():
    rows = [R(i * 60, 55.0, 12.0 + i * 0.003, 10.0, c) for i, c in enumerate([20, 0, 340, 330])]
    f = vq.window_facts(rows)
    assert f["turn_count"] == 1 and f["largest_turn_deg"] == 50 and f["largest_turn_side"] == "port"
    # 90 -> 110 (+20), 110 -> 113 (+3 ends the run), 113 -> 133 (+20): two runs of 20, no turn
    rows = [R(i * 60, 55.0, 12.0 + i * 0.003, 10.0, c) for i, c in enumerate([90, 110, 113, 133])]
    f = vq.window_facts(rows)
    assert f["turn_count"] == 0 and f["largest_turn_deg"] is None and f["largest_turn_side"] is None
    assert f["total_turn_deg"] == 43
    # a row below 2 kn between two 20-degree changes ends the run
    rows = [R(i * 60, 55.0, 12.0 + i * 0.003, s, c) for i, (s, c) in
            enumerate([(10, 90), (10, 110), (1.5, 130), (10, 150), (10, 170)])]
    f = vq.window_facts(rows)
    assert f["turn_count"] == 0 and f["total_turn_deg"] == 40
    # a sign change starts a new run: +35 then -35 are two turns; the first wins the tie
    rows = [R(i * 60, 55.0, 12.0 + i * 0.003, 10.0, c) for i, c in enumerate([90, 125, 90])]
    f = vq.window_facts(rows)
    assert f["turn_count"] == 2 and f["largest_turn_deg"] == 35 and f["largest_turn_side"] == "starboard"
    assert f["total_turn_deg"] == 70
    rows = [R(i * 60, 55.0, 12.0, None, 90) for i in range(3)]
    assert vq.window_facts(rows)["total_turn_deg"] is None


# ----------------------------------------------------------------------------------------- anomaly

def test_teleport_and_heading_cog_differences():
    a = (55.0, 12.0)
    b = moved(*a, 90, 1.0)                      # 1 nm in 60 s = 60 kn
    rows = [R(0, *a, 10.0, 355, 5), R(60, *b, 10.0, 90, 150), R(60, *b, 1.0, 90, 200), R(120, *b, None, 90, 0)]
    f = vq.window_facts(rows)
    assert f["teleport"] == "yes"
    assert f["max_leg_speed_kn"] == pytest.approx(60.0, abs=0.05)   # the dt = 0 leg does not count
    # rows with SOG >= 2 and heading and COG: 355/5 -> 10, 90/150 -> 60; row 3 is slow, row 4 has no SOG
    assert f["heading_cog_max_diff_deg"] == 60 and f["heading_cog_disagreements"] == 1
    short = [R(0, *a), R(1, *moved(*a, 90, 0.2))]          # 720 kn but only 0.2 nm: no teleport
    assert vq.window_facts(short)["teleport"] == "no"
    assert vq.window_facts(short)["heading_cog_max_diff_deg"] is None
    assert vq.window_facts(short)["heading_cog_disagreements"] is None


# ------------------------------------------------------------------------------------ route / eta

def prompt_text(rows_cells, question, date="2024-06-01", identity="MMSI 219000123; AIS ship type code 70; length 183 metres"):
    lines = [f"Vessel: {identity}",
             f"Track (UTC, {date}; selected reports, simplified with TD-TR; '-' = not available; "
             "SOG 102.2 = 102.2 knots or more):",
             "time | lat | lon | sog_kn | cog_deg | heading_deg | nav"]
    lines += [" | ".join(c) for c in rows_cells]
    lines += ["Nav status codes: 0 = under way using engine", f"Question: {question}"]
    return "\n".join(lines)


def test_eta_and_reach_by_from_the_question_point_and_deadline():
    last = (55.0, 12.0)
    tgt = moved(*last, 90, 10.0 * 20 / 60)          # 20 minutes at 10 kn along COG 90
    cells = [["10:00:00", "54.99000", "12.00000", "10.0", "90", "-", "0"],
             ["10:30:00", "55.00000", "12.00000", "10.0", "90", "-", "0"]]
    q = (f"At its last reported speed and course, when does it reach {tgt[0]:.5f}, {tgt[1]:.5f}, "
         "and can it get there by 11:00:00?")
    p = vq.parse_prompt(prompt_text(cells, q))
    rows = [vq.row_from_cells(t, c) for t, c in p.rows]
    notes = {}
    assert vq.expected_value("eta_min", p, rows, notes) == pytest.approx(20.0, abs=0.01)
    assert "question_data" not in notes
    assert vq.expected_value("reach_by", p, rows, {}) == "yes"
    q2 = q.replace("11:00:00", "10:45:00")
    p2 = vq.parse_prompt(prompt_text(cells, q2))
    notes = {}
    assert vq.expected_value("reach_by", p2, rows, notes) == "no"
    assert "not last row + 30 min" in notes["question_data"]
    assert vq.question_point(vq.parse_prompt(prompt_text(cells, "to 12.34567 S 45.00001 W by 11:00:00"))) \
        == (-12.34567, -45.00001)


def test_partial_speed_reads_the_question_times():
    pts = [(55.0, 12.0)]
    for _ in range(4):
        pts.append(moved(*pts[-1], 0, 0.5))
    cells = [[vq.tod(T0 + 600 * i), f"{la:.5f}", f"{lo:.5f}", "-", "-", "-", "-"] for i, (la, lo) in enumerate(pts)]
    # 5 rows: a = 1, b = 3 -> 1 nm in 1200 s = 3 kn
    p = vq.parse_prompt(prompt_text(cells, "What was its mean speed between 10:10:00 and 10:30:00?"))
    rows = [vq.row_from_cells(t, c) for t, c in p.rows]
    notes = {}
    assert vq.expected_value("partial_speed_kn", p, rows, notes) == pytest.approx(3.0, abs=0.01)
    assert "question_data" not in notes
    p = vq.parse_prompt(prompt_text(cells, "What was its mean speed between 10:00:00 and 10:40:00?"))
    notes = {}
    assert vq.expected_value("partial_speed_kn", p, rows, notes) == pytest.approx(3.0, abs=0.01)
    assert "spec rows 1,3" in notes["question_data"]


def test_partial_speed_question_times_after_midnight_are_written_without_a_date():
    pts = [(55.0, 12.0)]
    for _ in range(4):
        pts.append(moved(*pts[-1], 0, 0.5))
    t0 = calendar.timegm((2024, 6, 1, 23, 50, 0))
    cells = [[(vq.tod(t) if vq.day(t) == "2024-06-01" else f"{vq.day(t)} {vq.tod(t)}"), f"{la:.5f}", f"{lo:.5f}",
              "-", "-", "-", "-"] for t, (la, lo) in ((t0 + 600 * i, p) for i, p in enumerate(pts))]
    assert cells[2][0] == "2024-06-02 00:10:00"
    p = vq.parse_prompt(prompt_text(cells, "Mean speed from 00:00:00 UTC to 00:20:00 UTC?"))
    rows = [vq.row_from_cells(t, c) for t, c in p.rows]
    notes = {}
    assert vq.expected_value("partial_speed_kn", p, rows, notes) == pytest.approx(3.0, abs=0.01)
    assert "question_data" not in notes


def test_lookup_prefers_the_duplicate_that_rounds_to_the_shown_cells():
    # two reports in one second, both shown as 55.46554, 5.12232 (real case, DMA data): the table
    # shows heading 349; the raw-closest report has heading 0
    recs = [{"mmsi": 1, "t": 100, "lat": 55.46554166666667, "lon": 5.122318333333333, "sog": 2.7, "cog": 185.1,
             "heading": 349, "nav_status": 0},
            {"mmsi": 1, "t": 100, "lat": 55.465540000000004, "lon": 5.12232, "sog": 2.7, "cog": 184.7,
             "heading": 0, "nav_status": 0},
            {"mmsi": 1, "t": 100, "lat": 55.47, "lon": 5.12232, "sog": 2.7, "cog": 184.7, "heading": 349,
             "nav_status": 0}]
    idx = vq.PositionIndex(recs)
    cells = {"lat": "55.46554", "lon": "5.12232", "sog_kn": "2.7", "cog_deg": "185", "heading_deg": "349", "nav": "0"}
    assert idx.lookup(1, 100, cells)["heading"] == 349 and idx.lookup(1, 100, cells)["lat"] < 55.466
    assert idx.lookup(1, 100, dict(cells, heading_deg="0"))["heading"] == 0
    assert idx.lookup(1, 101, cells) is None and idx.lookup(2, 100, cells) is None


def test_prompt_parsing_with_a_row_on_the_next_day_and_identity():
    cells = [["23:59:00", "55.00000", "12.00000", "0.0", "-", "-", "5"],
             ["2024-06-02 00:01:00", "55.00000", "12.00000", "102.2", "360", "511", "-"]]
    p = vq.parse_prompt(prompt_text(cells, "How long is the track?"))
    assert p.mmsi == 219000123 and p.identity["ship_type"] == "70" and p.identity["length"] == "183"
    assert [t for t, _ in p.rows] == [calendar.timegm((2024, 6, 1, 23, 59, 0)), calendar.timegm((2024, 6, 2, 0, 1, 0))]
    assert p.question == "How long is the track?"
    assert "00:01:00" in p.cells() and "2024-06-02 00:01:00" in p.cells() and "183" in p.cells()
    p = vq.parse_prompt(prompt_text(cells, "q", identity="MMSI 367589210; name GALE; call sign WDG9578"))
    assert p.identity["name"] == "GALE" and "WDG9578" in p.cells() and "GALE" in p.cells()
    assert vq.expected_value("duration_min", p, [vq.row_from_cells(t, c) for t, c in p.rows], {}) == 2.0


def test_identity_facts():
    # docs/qa-facts.md (since 8c5c17a): 31-32 towing, 34 diving, 52 tug, 53-54 and 56-59 other,
    # asked only for codes 20-99
    expected = {20: "wing in ground", 29: "wing in ground", 30: "fishing", 31: "towing", 32: "towing",
                33: "dredging", 34: "diving", 35: "military", 36: "sailing", 37: "pleasure", 38: "other",
                39: "other", 40: "high-speed craft", 49: "high-speed craft", 50: "pilot",
                51: "search and rescue", 52: "tug", 53: "other", 54: "other", 55: "law enforcement",
                56: "other", 58: "other", 59: "other", 60: "passenger", 69: "passenger", 70: "cargo",
                79: "cargo", 80: "tanker", 89: "tanker", 90: "other", 99: "other"}
    assert {c: vq.ship_type_group(c) for c in expected} == expected
    assert vq.ship_type_group(0) is None and vq.ship_type_group(19) is None and vq.ship_type_group(100) is None
    assert vq.parse_answer(A("A towing vessel."), "ship_type_group").value == "towing"
    assert vq.parse_answer(A("A tug."), "ship_type_group").value == "tug"
    assert "United States" in vq.flag_names(303123456)
    assert "Portugal" in vq.flag_names(204123456) and "Portugal" in vq.flag_names(255123456)
    assert vq.flag_names(219000123) == ["Denmark"]
    assert vq.flag_names(12345) is None and vq.flag_names(999000000) is None


# ---------------------------------------------------------------------------------- answer parser

def A(answer, reasoning="Legs (nm): 1.2, 3.4; 1.2 + 3.4 = 4.6"):
    return f"Reasoning: {reasoning}\n\nAnswer: {answer}"


def test_parser_reads_the_text_after_the_last_answer_only():
    f = vq.parse_answer("Reasoning: Answer: 99 knots? no.\n\nAnswer: 12.3 knots", "sog_mean_kn")
    assert f.value == 12.3 and f.written == "12.3"
    assert vq.parse_answer(A("The mean speed was 12.3 knots."), "sog_mean_kn").value == 12.3
    assert vq.parse_answer(A("4.6 nautical miles"), "distance_nm").value == 4.6
    assert vq.parse_answer(A("123 degrees (south-east)"), "bearing_deg").value == 123
    assert vq.parse_answer(A("45.5 percent"), "stationary_pct").value == 45.5
    assert vq.parse_answer(A("45.5 %"), "stationary_pct").value == 45.5
    assert vq.parse_answer(A("183 metres"), "length_m").value == 183
    # a number with the wrong unit is not read as the fact
    f = vq.parse_answer(A("4.6 nautical miles"), "sog_mean_kn")
    assert f.value is None and "unit" in f.note


def test_parser_durations_and_times():
    f = vq.parse_answer(A("56 minutes 29 seconds"), "duration_min")
    assert f.value == pytest.approx(56 + 29 / 60) and f.written == "56 minutes 29 seconds"
    assert vq.parse_answer(A("1 hour 5 minutes"), "duration_min").value == 65
    assert vq.parse_answer(A("2 hours"), "max_gap_min").value == 120
    assert vq.parse_answer(A("12.5 minutes"), "eta_min").value == 12.5
    f = vq.parse_answer(A("45 seconds"), "median_interval_s")
    assert f.value == 45 and f.written == "45"
    assert vq.parse_answer(A("1 minute 5 seconds"), "median_interval_s").value == 65
    f = vq.parse_answer(A("10:58:40 UTC"), "max_gap_start")
    assert f.value == 10 * 3600 + 58 * 60 + 40 and f.written == "10:58:40"
    assert vq.parse_answer(A("2024-06-02 00:01:00 UTC"), "sog_max_time").value == 60
    # the time of day is not read as a number
    assert vq.parse_answer(A("at 10:58:40 UTC, 14.2 knots"), "sog_max_kn").value == 14.2


def test_parser_labels_counts_yes_no_flags():
    assert vq.parse_answer(A("north-east"), "bearing_compass").value == "north-east"
    assert vq.parse_answer(A("North"), "bearing_compass").value == "north"
    assert vq.parse_answer(A("stationary, status unknown"), "behaviour").value == "stationary, status unknown"
    assert vq.parse_answer(A("drifting or loitering"), "behaviour").value == "drifting or loitering"
    assert vq.parse_answer(A("Yes, about 3 minutes early."), "reach_by").value == "yes"
    assert vq.parse_answer(A("no"), "teleport").value == "no"
    assert vq.parse_answer(A("3 stops"), "stop_count").value == 3
    assert vq.parse_answer(A("No stops."), "stop_count").value == 0
    assert vq.parse_answer(A("Denmark"), "flag_state").value == "denmark"
    assert vq.parse_answer(A("United States of America"), "flag_state").value == "united states"
    assert vq.parse_answer(A("none"), "first_stop_start").value is None
    assert vq.parse_answer(A("cargo"), "ship_type_group").value == "cargo"


# ------------------------------------------------------------------------------------- tolerances

def F(v):
    return vq.Found(v, str(v))


@pytest.mark.parametrize("key,expected,found,ok", [
    ("sog_mean_kn", 10.0, 10.5, True), ("sog_mean_kn", 10.0, 10.51, False),
    ("sog_mean_kn", 20.0, 21.0, True), ("sog_mean_kn", 20.0, 21.1, False),          # 5 %
    ("distance_nm", 1.0, 1.1, True), ("distance_nm", 1.0, 1.11, False),
    ("distance_nm", 10.0, 10.5, True), ("distance_nm", 10.0, 10.6, False),
    ("duration_min", 10.0, 11.0, True), ("duration_min", 10.0, 11.1, False),
    ("duration_min", 60.0, 63.0, True), ("duration_min", 60.0, 63.1, False),
    ("median_interval_s", 30, 35, True), ("median_interval_s", 30, 35.5, False),
    ("bearing_deg", 355.0, 4.0, True), ("bearing_deg", 355.0, 6.0, False),
    ("largest_turn_deg", 40, 50, True), ("largest_turn_deg", 40, 51, False),
    ("total_turn_deg", 350, 10, False),                                           # not on the circle
    ("length_m", 183.0, 184, True), ("length_m", 183.0, 184.5, False),
    ("stationary_pct", 50.0, 55.0, True), ("stationary_pct", 50.0, 55.5, False),
    ("stop_count", 2, 2, True), ("stop_count", 2, 3, False),
    ("max_gap_start", T0, 10 * 3600 + 60, True), ("max_gap_start", T0, 10 * 3600 + 61, False),
    ("max_gap_start", calendar.timegm((2024, 6, 1, 23, 59, 30)), 20, True),        # across midnight
    ("speed_trend", "steady", "steady", True), ("speed_trend", "steady", "accelerating", False),
    ("reach_by", "yes", "yes", True), ("reach_by", "yes", "no", False),
    ("first_stop_start", None, None, True), ("first_stop_start", None, 0, False),
    ("sog_mean_kn", 10.0, None, False),
])
def test_tolerances(key, expected, found, ok):
    assert vq.agrees(key, expected, F(found)) is ok


def test_labels_at_a_threshold_accept_either_side_only_within_float_noise():
    assert vq.agrees("speed_trend", "steady", F("accelerating"), {"_speed_trend_margin": 1e-12})
    assert not vq.agrees("speed_trend", "steady", F("accelerating"), {"_speed_trend_margin": 0.05})
    assert vq.agrees("flag_state", ["Faroe Islands", "Denmark"], vq.Found("denmark", "Denmark"))
    assert not vq.agrees("flag_state", ["Denmark"], vq.Found("norway", "Norway"))


def test_copy_and_trivial():
    cells = [["10:00:00", "55.00000", "12.00000", "0.2", "-", "-", "5"],
             ["10:30:00", "55.00010", "12.00000", "0.3", "-", "-", "5"]]
    p = vq.parse_prompt(prompt_text(cells, "q"))
    assert vq.copy_of_prompt(vq.parse_answer(A("0.3 knots"), "sog_max_kn"), p)
    assert vq.copy_of_prompt(vq.parse_answer(A("10:30:00 UTC"), "sog_max_time"), p)
    assert vq.copy_of_prompt(vq.parse_answer(A("183 metres"), "length_m"), p)
    assert not vq.copy_of_prompt(vq.parse_answer(A("0.25 knots"), "sog_mean_kn"), p)
    assert not vq.copy_of_prompt(vq.parse_answer(A("30 minutes"), "duration_min"), p)
    rows = [vq.row_from_cells(t, c) for t, c in p.rows]
    assert vq.is_trivial(rows)                       # 0.3 kn max, 11 m
    rows[1].sog = 0.5
    assert not vq.is_trivial(rows)


def test_balance_metrics():
    cells = [["10:00:00", "55.00000", "12.00000", "5.0", "0", "-", "0"],
             ["10:30:00", "55.05000", "12.00000", "5.0", "0", "-", "0"]]
    user = prompt_text(cells, "q")
    pairs = [{"user": user, "assistant": A(a), "fact_key": k, "template_id": t, "n_tokens": n, "category": c}
             for a, k, t, n, c in [("yes", "teleport", "t1", 100, "anomaly"), ("yes", "teleport", "t1", 200, "anomaly"),
                                   ("no", "teleport", "t1", 300, "anomaly"), ("5.0 knots", "sog_max_kn", "t2", 400, "k"),
                                   ("cargo", "ship_type_group", "t3", 500, "identity")]]
    b = vq.balance(pairs)
    assert b["answer_mode"]["t1"][0] == pytest.approx(200 / 3)
    assert b["max_answer_mode_pct"] == 100.0            # t2 and t3 have one pair each
    assert vq.balance(pairs, mode_min_pairs=2)["max_answer_mode_pct"] == pytest.approx(200 / 3)
    assert b["templates"] == 3 and b["multi_row_fact_types"] == 2
    assert b["copy_pct"] == 20.0                        # "5.0" is a SOG cell
    assert b["trivial_pct"] == 0.0
    assert b["p95_chat_tokens"] == 500
    assert vq.p95(list(range(1, 101))) == 95


# --------------------------------------------------------------------- the whole script, Delta I/O

def _positions_table(records):
    import pyarrow as pa
    return pa.table({
        "mmsi": pa.array([r[0] for r in records], pa.int64()),
        "ts": pa.array([r[1] for r in records], pa.timestamp("us", tz="UTC")),
        "lat": pa.array([r[2] for r in records], pa.float64()),
        "lon": pa.array([r[3] for r in records], pa.float64()),
        "sog": pa.array([r[4] for r in records], pa.float64()),
        "cog": pa.array([r[5] for r in records], pa.float64()),
        "heading": pa.array([r[6] for r in records], pa.int32()),
        "nav_status": pa.array([r[7] for r in records], pa.int32()),
        "msg_type": pa.array([1] * len(records), pa.int32()),
    })


def build_lakehouse(tmp, wrong_answer=False, wrong_cell=False):
    """Two vessels, 6 pairs with hand-known answers; returns (lakehouse, export)."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from deltalake import write_deltalake
    us = 1_000_000
    m1, m2 = 219000123, 366000001
    a0 = (55.0000012, 12.0000049)       # shown 55.00000, 12.00000
    a1 = moved(*a0, 0.0, 1.0)           # 1 nm north, 6 min later: 10 kn
    recs = [
        (m1, (T0 + 0) * us + 250_000, a0[0], a0[1], 9.84, 0.4, 1, 0),
        (m1, (T0 + 360) * us + 999_999, a1[0], a1[1], 10.15, 359.6, 511, 0),
        # a duplicate second, 1 km away: the lookup must take the row closest to the shown values
        (m1, (T0 + 360) * us, a1[0] + 0.01, a1[1], 3.0, 10.0, 5, 7),
    ]
    b = [(40.0, -70.0)]
    for _ in range(4):
        b.append(moved(*b[-1], 90, 0.01))   # 18.5 m steps: all within 100 m (a stop)
    for i, p in enumerate(b):
        recs.append((m2, (T0 + 120 * i) * us, p[0], p[1], 0.0, None, None, 5))
    pos = _positions_table(recs)
    lake = os.path.join(tmp, "lakehouse")
    write_deltalake(os.path.join(lake, "ais_positions"), pos)

    def cells(mmsi):
        out = []
        for r in recs:
            if r[0] != mmsi or r[7] == 7:
                continue
            t = r[1] // us
            out.append([vq.tod(t), vq.shown_lat_lon(r[2]), vq.shown_lat_lon(r[3]), vq.shown_sog(r[4]),
                        vq.shown_cog(r[5]), vq.shown_int(r[6]), vq.shown_int(r[7])])
        return out
    c1, c2 = cells(m1), cells(m2)
    assert c1[0][1:3] == ["55.00000", "12.00000"] and c1[1][3:6] == ["10.2", "0", "-"]
    if wrong_cell:
        c1[1][3] = "10.7"
    id1 = "MMSI 219000123; name NORDIC STAR; AIS ship type code 70; length 183 metres; AIS class A"
    id2 = "MMSI 366000001; AIS ship type code 37; length 12 metres"
    qa = [  # qa_id, mmsi, template, fact, category, user, answer
        ("q1", m1, "speed.implied", "implied_speed_kn", "kinematics", prompt_text(c1, "Implied speed?", identity=id1),
         "15.0 knots" if wrong_answer else "10.0 knots"),
        ("q2", m1, "route.distance", "distance_nm", "route", prompt_text(c1, "Distance?", identity=id1),
         "1.00 nautical miles"),
        ("q3", m1, "route.compass", "bearing_compass", "route", prompt_text(c1, "Direction?", identity=id1), "north"),
        ("q4", m1, "id.flag", "flag_state", "identity", prompt_text(c1, "Flag?", identity=id1), "Denmark"),
        ("q5", m2, "stop.count", "stop_count", "behaviour", prompt_text(c2, "Stops?", identity=id2), "1 stop"),
        ("q6", m2, "stop.longest", "longest_stop_min", "behaviour", prompt_text(c2, "Longest stop?", identity=id2),
         "8 minutes"),
        ("q7", m2, "free", None, "summary", prompt_text(c2, "Describe.", identity=id2), "It is moored."),
    ]
    write_deltalake(os.path.join(lake, "qa_candidates"), pa.table({
        "qa_id": [q[0] for q in qa], "template_id": [q[2] for q in qa], "fact_key": [q[3] for q in qa],
        "claim": [None] * len(qa), "prompt_version": [vq.PROMPT_VERSION] * len(qa)}))
    write_deltalake(os.path.join(lake, "qa_judged"), pa.table({
        "qa_id": [q[0] for q in qa] + ["q8"], "verdict": ["accepted"] * len(qa) + ["rejected"]}))
    exp = os.path.join(tmp, "export")
    os.makedirs(os.path.join(exp, "parquet"))
    msg_type = pa.list_(pa.struct([("role", pa.string()), ("content", pa.string())]))
    for split, sel in (("train", qa[:5]), ("validation", qa[5:6]), ("test", qa[6:])):
        pq.write_table(pa.table({
            "split": [split] * len(sel), "qa_id": [q[0] for q in sel], "window_id": ["w"] * len(sel),
            "mmsi": pa.array([q[1] for q in sel], pa.int64()), "category": [q[4] for q in sel],
            "messages": pa.array([[{"role": "user", "content": q[5]},
                                   {"role": "assistant", "content": A(q[6], "6 minutes, 1.0 nm")}] for q in sel],
                                 msg_type),
            "n_tokens": pa.array([300 + 10 * i for i, _ in enumerate(sel)], pa.int32())}),
            os.path.join(exp, "parquet", f"{split}.parquet"))
    return lake, exp


SMALL = ["--min-templates", "3", "--min-multi-row-fact-types", "2", "--max-answer-mode-pct", "100",
         "--max-copy-pct", "50", "--max-trivial-pct", "50", "--min-checked", "6"]


def run_script(lake, exp, tmp, *extra):
    out = os.path.join(tmp, "verify.json")
    p = subprocess.run([sys.executable, os.path.join(os.path.dirname(HERE), "verify_qa.py"), lake, exp,
                        "--out", out, *extra], capture_output=True, text=True, timeout=300)
    return p, (json.load(open(out)) if os.path.exists(out) else None)


def test_script_agrees_on_a_tiny_lakehouse(tmp_path):
    lake, exp = build_lakehouse(str(tmp_path))
    p, rep = run_script(lake, exp, str(tmp_path), *SMALL)
    assert p.returncode == 0, p.stdout + p.stderr
    lines = dict(line.split("=", 1) for line in p.stdout.splitlines() if "=" in line and " " not in line.split("=")[0])
    assert lines["agreement_pct"] == "100.00" and lines["checked"] == "6"
    assert lines["table_row_mismatches"] == "0" and lines["templates"] == "7"
    assert lines["multi_row_fact_types"] == "5"       # flag_state is identity; q7 has no fact
    assert lines["p95_chat_tokens"] == "340"
    assert rep["exported_not_accepted"] == 0 and rep["per_fact"]["longest_stop_min"] == {"checked": 1, "agreeing": 1}
    assert "verify_qa: OK" in p.stdout


def test_script_fails_on_a_wrong_answer_and_counts_a_wrong_cell(tmp_path):
    lake, exp = build_lakehouse(str(tmp_path), wrong_answer=True, wrong_cell=True)
    p, rep = run_script(lake, exp, str(tmp_path), *SMALL)
    assert p.returncode == 1, p.stdout + p.stderr
    assert "agreement_pct=83.33" in p.stdout
    assert "table_row_mismatches=3" in p.stdout       # row 2 of q1, q2, q3 (the same window)
    assert "disagreement qa_id=q1 fact_key=implied_speed_kn" in p.stdout
    (d,) = rep["disagreements"]
    assert d["qa_id"] == "q1" and d["expected"] == pytest.approx(10.0, abs=0.02) and "15.0" in d["found"]
    # the same data passes when the agreement threshold is lowered: only that check failed
    p, _ = run_script(lake, exp, str(tmp_path), *SMALL, "--min-agreement-pct", "80")
    assert p.returncode == 0, p.stdout


def test_script_fails_the_balance_thresholds(tmp_path):
    lake, exp = build_lakehouse(str(tmp_path))
    p, rep = run_script(lake, exp, str(tmp_path))          # default thresholds: 40 templates, ...
    assert p.returncode == 1
    assert "templates 7 < 40" in p.stdout and "multi-row fact types 5 < 15" in p.stdout
    assert "checked" not in " ".join(rep["failures"])        # fewer than 500 pairs exist: all checked
    p, _ = run_script(lake, exp, str(tmp_path), *SMALL, "--sample", "2")
    assert p.returncode == 1 and "checked 2 < 6" in p.stdout
