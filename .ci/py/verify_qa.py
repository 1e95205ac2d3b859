"""Second, independent implementation of the window-v2 QA facts (docs/qa-facts.md), as a CI check.

Usage: python verify_qa.py LAKEHOUSE EXPORT_DIR [--sample N] [--out FILE.json] [threshold flags]

Written from docs/qa-facts.md alone (not from the Java code in common/.../qa or track). Reads the
export's Parquet files with pyarrow and the Delta tables qa_candidates, qa_judged and ais_positions
with delta-rs (PyPI deltalake; no Spark, no JVM).

1. Agreement: for a deterministic sample (lowest SHA-256 of qa_id first) of accepted, exported
   pairs with a fact_key, the answer is recomputed from ais_positions alone: every observed row of
   the user turn is looked up by (mmsi, time truncated to the second), rounded here as the spec
   says, compared with the table as shown (table_row_mismatches), and the fact is computed from
   these rows with GeographicLib (Karney geodesics on WGS84). The value after the last "Answer:" of
   the assistant turn is parsed and compared within the spec's tolerances.
2. Balance over all accepted, exported pairs: trivial share, copy share, per-template answer mode,
   distinct templates, distinct multi-row fact types, p95 of n_tokens.

Prints one "name=value" line per figure and exits 1 when a threshold fails.
"""
import argparse
import calendar
import hashlib
import json
import math
import os
import re
import time
import unicodedata
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal

from geographiclib.geodesic import Geodesic

GEOD = Geodesic.WGS84
NM = 1852.0
SOG_OVERFLOW = 102.2
STOP_DIAMETER_M = 100.0
STOP_MIN_S = 300
PROMPT_VERSION = "window-v2"

# ---------------------------------------------------------------------------------------------
# fact families (section 3 of the spec)

SPEED = {"sog_mean_kn", "sog_max_kn", "sog_min_kn", "implied_speed_kn", "sog_first_half_kn",
         "sog_second_half_kn", "largest_sog_change_kn", "partial_speed_kn", "max_leg_speed_kn"}
DISTANCE = {"distance_nm", "displacement_nm"}
MINUTES = {"duration_min", "max_gap_min", "eta_min", "first_stop_min", "longest_stop_min", "stopped_min"}
SECONDS = {"median_interval_s"}
TIME_OF_DAY = {"max_gap_start", "sog_max_time", "first_stop_start"}
BEARING = {"bearing_deg"}
ANGLE = {"largest_turn_deg", "total_turn_deg", "heading_cog_max_diff_deg"}
LENGTH = {"length_m"}
PERCENT = {"stationary_pct"}
COUNT = {"report_count", "stop_count", "turn_count", "heading_cog_disagreements", "sog_missing",
         "sog_overflow_reports"}
YES_NO = {"reach_by", "status_consistent", "teleport"}
COMPASS = ["north", "north-east", "east", "south-east", "south", "south-west", "west", "north-west"]
BEHAVIOURS = ["moored", "at anchor", "stationary, status unknown", "underway", "drifting or loitering"]
SHIP_GROUPS = ["fishing", "towing", "dredging", "diving", "military", "sailing", "pleasure", "high-speed craft",
               "pilot", "search and rescue", "tug", "law enforcement", "passenger",
               "cargo", "tanker", "wing in ground", "other"]
LABELS = {"speed_trend": ["accelerating", "decelerating", "steady"], "bearing_compass": COMPASS,
          "behaviour": BEHAVIOURS, "largest_turn_side": ["starboard", "port"],
          "ship_type_group": SHIP_GROUPS}
IDENTITY = {"ship_type_group", "flag_state", "length_m"}
KNOWN = (SPEED | DISTANCE | MINUTES | SECONDS | TIME_OF_DAY | BEARING | ANGLE | LENGTH | PERCENT
         | COUNT | YES_NO | set(LABELS) | IDENTITY)

# ---------------------------------------------------------------------------------------------
# rounding as shown (section 1)


def java_fixed(x, decimals):
    """Java's String.format("%.Nf", x): the shortest decimal of the double, rounded half-up."""
    q = Decimal(1).scaleb(-decimals)
    return str(Decimal(repr(float(x))).quantize(q, rounding=ROUND_HALF_UP))  # keeps "-0.00000" as Java


def shown_lat_lon(x):
    return java_fixed(x, 5)


def shown_sog(x):
    return "-" if x is None else java_fixed(x, 1)


def shown_cog(x):
    if x is None:
        return "-"
    v = int(Decimal(repr(float(x))).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return str(v % 360 if v == 360 else v)


def shown_int(x):
    return "-" if x is None or x == 511 else str(int(x))


def tod(t):
    return time.strftime("%H:%M:%S", time.gmtime(t))


def day(t):
    return time.strftime("%Y-%m-%d", time.gmtime(t))


def parse_day(s):
    return calendar.timegm(time.strptime(s, "%Y-%m-%d"))


# ---------------------------------------------------------------------------------------------
# rows


class Row:
    """One observed row with the values as shown (rounded)."""
    __slots__ = ("t", "lat", "lon", "sog", "cog", "heading", "nav")

    def __init__(self, t, lat, lon, sog=None, cog=None, heading=None, nav=None):
        self.t, self.lat, self.lon = int(t), float(lat), float(lon)
        self.sog = None if sog is None else float(sog)
        self.cog = None if cog is None else int(cog)
        self.heading = None if heading is None else int(heading)
        self.nav = None if nav is None else int(nav)

    @property
    def valid_sog(self):
        return self.sog is not None and self.sog != SOG_OVERFLOW

    def __repr__(self):
        return (f"{tod(self.t)}|{self.lat:.5f}|{self.lon:.5f}|{'-' if self.sog is None else self.sog}|"
                f"{'-' if self.cog is None else self.cog}|{'-' if self.heading is None else self.heading}|"
                f"{'-' if self.nav is None else self.nav}")


def row_from_cells(t, cells):
    """A Row from shown cell strings (lat, lon, sog_kn, cog_deg, heading_deg, nav)."""
    def opt(s, conv):
        return None if s in ("-", "") else conv(s)
    return Row(t, float(cells["lat"]), float(cells["lon"]), opt(cells["sog_kn"], float),
               opt(cells["cog_deg"], int), opt(cells["heading_deg"], int), opt(cells["nav"], int))


def shown_cells(rec, first_day_start):
    """The cells the spec shows for one ais_positions record (dict with t = whole seconds)."""
    t = rec["t"]
    return {
        "time": tod(t) if t < first_day_start + 86400 else f"{day(t)} {tod(t)}",
        "lat": shown_lat_lon(rec["lat"]), "lon": shown_lat_lon(rec["lon"]),
        "sog_kn": shown_sog(rec["sog"]), "cog_deg": shown_cog(rec["cog"]),
        "heading_deg": shown_int(rec["heading"]), "nav": shown_int(rec["nav_status"]),
    }


# ---------------------------------------------------------------------------------------------
# geodesy


def inverse(a_lat, a_lon, b_lat, b_lon):
    """(metres, initial azimuth in [0, 360))."""
    g = GEOD.Inverse(a_lat, a_lon, b_lat, b_lon)
    return g["s12"], g["azi1"] % 360.0


def dist_nm(a, b):
    return inverse(a.lat, a.lon, b.lat, b.lon)[0] / NM


def legs_nm(rows):
    return [dist_nm(rows[i - 1], rows[i]) for i in range(1, len(rows))]


# ---------------------------------------------------------------------------------------------
# facts (section 3)


def mean(xs):
    return sum(xs) / len(xs) if xs else None


def median(xs):
    s = sorted(xs)
    n = len(s)
    if n == 0:
        return None
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def stops(rows):
    """[(i, j)] per the spec's scan (diameter <= 100 m, duration >= 300 s)."""
    out = []
    n = len(rows)
    i = 0
    while i < n:
        j = i
        diam = 0.0
        while j + 1 < n:
            d = max([diam] + [inverse(rows[k].lat, rows[k].lon, rows[j + 1].lat, rows[j + 1].lon)[0]
                              for k in range(i, j + 1)])
            if d > STOP_DIAMETER_M:
                break
            diam = d
            j += 1
        if rows[j].t - rows[i].t >= STOP_MIN_S:
            out.append((i, j))
            i = j + 1
        else:
            i += 1
    return out


def course_change(c0, c1):
    return ((c1 - c0 + 540) % 360) - 180


def turns(rows):
    """(list of turn sums, list of |c| of all moving pairs)."""
    moving = [r.valid_sog and r.sog >= 2.0 and r.cog is not None for r in rows]
    found, all_changes = [], []
    run = []

    def close():
        if run and abs(sum(run)) >= 30:
            found.append(sum(run))
        run.clear()

    for i in range(1, len(rows)):
        if not (moving[i - 1] and moving[i]):
            close()
            continue
        c = course_change(rows[i - 1].cog, rows[i].cog)
        all_changes.append(abs(c))
        if abs(c) < 5:
            close()
        elif run and (run[0] > 0) == (c > 0):
            run.append(c)
        else:
            close()
            run.append(c)
    close()
    return found, all_changes


def dominant_status(rows):
    c = Counter(r.nav for r in rows if r.nav is not None)
    if not c:
        return None
    top = max(c.values())
    return min(k for k, v in c.items() if v == top)


def window_facts(rows):
    """Every fact of section 3 that needs only the rows (not the question's own data)."""
    n = len(rows)
    f = {}
    ts = [r.t for r in rows]
    dts = [ts[i] - ts[i - 1] for i in range(1, n)]
    legs = legs_nm(rows)
    duration = ts[-1] - ts[0]
    # temporal
    f["duration_min"] = duration / 60
    f["report_count"] = n
    f["median_interval_s"] = median(dts)
    f["max_gap_min"] = max(dts) / 60 if dts else None
    f["max_gap_start"] = ts[dts.index(max(dts))] if dts else None
    # kinematics
    valid = [r.sog for r in rows if r.valid_sog]
    f["sog_mean_kn"] = mean(valid)
    f["sog_max_kn"] = max(valid) if valid else None
    f["sog_max_time"] = next(r.t for r in rows if r.valid_sog and r.sog == f["sog_max_kn"]) if valid else None
    f["sog_min_kn"] = min(valid) if valid else None
    distance = sum(legs)
    f["implied_speed_kn"] = distance / (duration / 3600) if duration > 0 else None
    t_mid = (ts[0] + ts[-1]) / 2
    first = mean([r.sog for r in rows if r.valid_sog and r.t <= t_mid])
    second = mean([r.sog for r in rows if r.valid_sog and r.t > t_mid])
    if first is None or second is None:
        first = second = None
    f["sog_first_half_kn"], f["sog_second_half_kn"] = first, second
    if first is None:
        f["speed_trend"] = None
    else:
        diff = second - first
        f["speed_trend"] = "accelerating" if diff >= 1.0 else "decelerating" if diff <= -1.0 else "steady"
        f["_speed_trend_margin"] = min(abs(diff - 1.0), abs(diff + 1.0))
    changes = [abs(rows[i].sog - rows[i - 1].sog) for i in range(1, n)
               if rows[i].valid_sog and rows[i - 1].valid_sog]
    f["largest_sog_change_kn"] = max(changes) if changes else None
    a, b = partial_rows(n)
    f["partial_speed_kn"] = partial_speed(rows, legs, a, b)
    # route
    f["distance_nm"] = distance
    disp_m, azi = inverse(rows[0].lat, rows[0].lon, rows[-1].lat, rows[-1].lon)
    f["displacement_nm"] = disp_m / NM
    f["bearing_deg"] = azi if f["displacement_nm"] >= 0.05 else None
    f["bearing_compass"] = None if f["bearing_deg"] is None else COMPASS[int(math.floor((azi + 22.5) / 45)) % 8]
    if f["bearing_deg"] is not None:
        x = (azi + 22.5) / 45
        f["_bearing_compass_margin"] = abs(x - round(x)) * 45
    # behaviour
    st = stops(rows)
    f["stop_count"] = len(st)
    f["first_stop_start"] = ts[st[0][0]] if st else None
    f["first_stop_min"] = (ts[st[0][1]] - ts[st[0][0]]) / 60 if st else None
    f["longest_stop_min"] = max((ts[j] - ts[i]) / 60 for i, j in st) if st else None
    f["stopped_min"] = sum((ts[j] - ts[i]) / 60 for i, j in st)
    f["stationary_pct"] = 100 * sum(1 for s in valid if s < 0.5) / len(valid) if valid else None
    if valid:
        stationary = f["stationary_pct"] >= 50
    else:
        stationary = duration == 0 or f["implied_speed_kn"] < 1.0
    dom = dominant_status(rows)
    speed = f["sog_mean_kn"] if f["sog_mean_kn"] is not None else f["implied_speed_kn"]
    if stationary:
        f["behaviour"] = {5: "moored", 1: "at anchor"}.get(dom, "stationary, status unknown")
    else:
        straight = f["displacement_nm"] / distance if distance > 0 else 0.0
        f["behaviour"] = "underway" if speed is not None and speed >= 3.0 and straight >= 0.5 \
            else "drifting or loitering"
    f["_dominant_status"] = dom
    if dom in (0, 1, 5) and speed is not None:
        f["status_consistent"] = "yes" if (speed < 1.0 if dom in (1, 5) else speed >= 1.0) else "no"
    else:
        f["status_consistent"] = None
    turn_sums, all_changes = turns(rows)
    f["turn_count"] = len(turn_sums)
    largest = None
    for s in turn_sums:
        if largest is None or abs(s) > abs(largest):
            largest = s
    f["largest_turn_deg"] = None if largest is None else abs(largest)
    f["largest_turn_side"] = None if largest is None else ("starboard" if largest > 0 else "port")
    f["total_turn_deg"] = sum(all_changes) if all_changes else None
    # anomaly
    leg_speeds = [(legs[i - 1], legs[i - 1] / (dts[i - 1] / 3600)) for i in range(1, n) if dts[i - 1] > 0]
    f["max_leg_speed_kn"] = max(s for _, s in leg_speeds) if leg_speeds else None
    f["teleport"] = "yes" if any(d > 0.25 and s > 50 for d, s in leg_speeds) else "no"
    diffs = []
    for r in rows:
        if r.valid_sog and r.sog >= 2.0 and r.heading is not None and r.cog is not None:
            d = abs(r.heading - r.cog) % 360
            diffs.append(min(d, 360 - d))
    f["heading_cog_max_diff_deg"] = max(diffs) if diffs else None
    f["heading_cog_disagreements"] = sum(1 for d in diffs if d > 45) if diffs else None
    f["sog_missing"] = sum(1 for r in rows if r.sog is None)
    f["sog_overflow_reports"] = sum(1 for r in rows if r.sog == SOG_OVERFLOW)
    return f


def partial_rows(n):
    a = (n - 1) // 4
    return a, n - 1 - a


def partial_speed(rows, legs, a, b):
    if b <= a or rows[b].t == rows[a].t:
        return None
    return sum(legs[a:b]) / ((rows[b].t - rows[a].t) / 3600)


def eta_min(rows, target):
    last = rows[-1]
    if not last.valid_sog or last.sog <= 0:
        return None
    return inverse(last.lat, last.lon, target[0], target[1])[0] / NM / last.sog * 60


def is_trivial(rows):
    valid = [r.sog for r in rows if r.valid_sog]
    return (not valid or max(valid) < 0.5) and sum(legs_nm(rows)) < 0.1


# ---------------------------------------------------------------------------------------------
# identity (MID table: ITU-R M.585 / ITU MARS, written for this check; "A|B" = either name)

_MID_TEXT = """
201 Albania;202 Andorra;203 Austria;204 Portugal|Azores;205 Belgium;206 Belarus;207 Bulgaria;
208 Vatican City State|Vatican|Holy See;209 Cyprus;210 Cyprus;211 Germany;212 Cyprus;213 Georgia;
214 Moldova;215 Malta;216 Armenia;218 Germany;219 Denmark;220 Denmark;224 Spain;225 Spain;
226 France;227 France;228 France;229 Malta;230 Finland;231 Faroe Islands|Denmark;232 United Kingdom;
233 United Kingdom;234 United Kingdom;235 United Kingdom;236 Gibraltar|United Kingdom;237 Greece;
238 Croatia;239 Greece;240 Greece;241 Greece;242 Morocco;243 Hungary;244 Netherlands;245 Netherlands;
246 Netherlands;247 Italy;248 Malta;249 Malta;250 Ireland;251 Iceland;252 Liechtenstein;
253 Luxembourg;254 Monaco;255 Portugal|Madeira;256 Malta;257 Norway;258 Norway;259 Norway;261 Poland;
262 Montenegro;263 Portugal;264 Romania;265 Sweden;266 Sweden;267 Slovakia;268 San Marino;
269 Switzerland;270 Czech Republic|Czechia;271 Turkey|Turkiye;272 Ukraine;273 Russia;
274 North Macedonia|Macedonia;275 Latvia;276 Estonia;277 Lithuania;278 Slovenia;279 Serbia;
301 Anguilla|United Kingdom;303 United States|Alaska;304 Antigua and Barbuda;305 Antigua and Barbuda;
306 Curacao|Sint Maarten|Bonaire Sint Eustatius and Saba|Netherlands|Netherlands Antilles;307 Aruba|Netherlands;
308 Bahamas;309 Bahamas;310 Bermuda|United Kingdom;311 Bahamas;312 Belize;314 Barbados;316 Canada;
319 Cayman Islands|United Kingdom;321 Costa Rica;323 Cuba;325 Dominica;327 Dominican Republic;
329 Guadeloupe|France;330 Grenada;331 Greenland|Denmark;332 Guatemala;334 Honduras;336 Haiti;
338 United States;339 Jamaica;341 Saint Kitts and Nevis;343 Saint Lucia;345 Mexico;
347 Martinique|France;348 Montserrat|United Kingdom;350 Nicaragua;351 Panama;352 Panama;353 Panama;
354 Panama;355 Panama;356 Panama;357 Panama;358 Puerto Rico|United States;359 El Salvador;
361 Saint Pierre and Miquelon|France;362 Trinidad and Tobago;364 Turks and Caicos Islands|United Kingdom;
366 United States;367 United States;368 United States;369 United States;370 Panama;371 Panama;
372 Panama;373 Panama;374 Panama;375 Saint Vincent and the Grenadines;376 Saint Vincent and the Grenadines;
377 Saint Vincent and the Grenadines;378 British Virgin Islands|United Kingdom;
379 United States Virgin Islands|United States;401 Afghanistan;403 Saudi Arabia;405 Bangladesh;
408 Bahrain;410 Bhutan;412 China;413 China;414 China;416 Taiwan;417 Sri Lanka;419 India;422 Iran;
423 Azerbaijan;425 Iraq;428 Israel;431 Japan;432 Japan;434 Turkmenistan;436 Kazakhstan;
437 Uzbekistan;438 Jordan;440 South Korea;441 South Korea;443 Palestine;445 North Korea;447 Kuwait;
450 Lebanon;451 Kyrgyzstan;453 Macao|China;455 Maldives;457 Mongolia;459 Nepal;461 Oman;
463 Pakistan;466 Qatar;468 Syria;470 United Arab Emirates;471 United Arab Emirates;472 Tajikistan;
473 Yemen;475 Yemen;477 Hong Kong|China;478 Bosnia and Herzegovina;501 Adelie Land|France;
503 Australia;506 Myanmar;508 Brunei;510 Micronesia;511 Palau;512 New Zealand;514 Cambodia;
515 Cambodia;516 Christmas Island|Australia;518 Cook Islands|New Zealand;520 Fiji;
523 Cocos (Keeling) Islands|Cocos Islands|Australia;525 Indonesia;529 Kiribati;531 Laos;533 Malaysia;
536 Northern Mariana Islands|United States;538 Marshall Islands;540 New Caledonia|France;
542 Niue|New Zealand;544 Nauru;546 French Polynesia|France;548 Philippines;550 Timor-Leste;
553 Papua New Guinea;555 Pitcairn Islands|Pitcairn Island|United Kingdom;557 Solomon Islands;
559 American Samoa|United States;561 Samoa;563 Singapore;564 Singapore;565 Singapore;566 Singapore;
567 Thailand;570 Tonga;572 Tuvalu;574 Vietnam;576 Vanuatu;577 Vanuatu;578 Wallis and Futuna|France;
601 South Africa;603 Angola;605 Algeria;607 Saint Paul and Amsterdam Islands|France;
608 Ascension Island|United Kingdom;609 Burundi;610 Benin;611 Botswana;612 Central African Republic;
613 Cameroon;615 Congo|Republic of the Congo;616 Comoros;617 Cabo Verde;618 Crozet Archipelago|France;
619 Cote d'Ivoire;620 Comoros;621 Djibouti;622 Egypt;624 Ethiopia;625 Eritrea;626 Gabon;627 Ghana;
629 Gambia;630 Guinea-Bissau;631 Equatorial Guinea;632 Guinea;633 Burkina Faso;634 Kenya;
635 Kerguelen Islands|France;636 Liberia;637 Liberia;638 South Sudan;642 Libya;644 Lesotho;
645 Mauritius;647 Madagascar;649 Mali;650 Mozambique;654 Mauritania;655 Malawi;656 Niger;
657 Nigeria;659 Namibia;660 Reunion|France;661 Rwanda;662 Sudan;663 Senegal;664 Seychelles;
665 Saint Helena|United Kingdom;666 Somalia;667 Sierra Leone;668 Sao Tome and Principe;669 Eswatini;
670 Chad;671 Togo;672 Tunisia;674 Tanzania;675 Uganda;676 Democratic Republic of the Congo;
677 Tanzania;678 Zambia;679 Zimbabwe;701 Argentina;710 Brazil;720 Bolivia;725 Chile;730 Colombia;
735 Ecuador;740 Falkland Islands|United Kingdom;745 French Guiana|Guiana|France;750 Guyana;
755 Paraguay;760 Peru;765 Suriname;770 Uruguay;775 Venezuela
"""
MID = {int(e.split(" ", 1)[0]): e.split(" ", 1)[1].split("|")
       for e in (x.strip() for x in _MID_TEXT.replace("\n", "").split(";")) if e}
# other names of the same country (normalised form -> normalised form of the table's name)
_ALIASES = {
    "united states of america": "united states", "usa": "united states", "us": "united states",
    "uk": "united kingdom", "great britain": "united kingdom",
    "united kingdom of great britain and northern ireland": "united kingdom",
    "russian federation": "russia", "holy see": "vatican city state", "vatican city": "vatican city state",
    "republic of korea": "south korea", "korea republic of": "south korea", "korea": "south korea",
    "democratic peoples republic of korea": "north korea", "korea democratic peoples republic of": "north korea",
    "iran islamic republic of": "iran", "islamic republic of iran": "iran", "syrian arab republic": "syria",
    "lao peoples democratic republic": "laos", "lao pdr": "laos", "viet nam": "vietnam",
    "federated states of micronesia": "micronesia", "micronesia federated states of": "micronesia",
    "republic of moldova": "moldova", "moldova republic of": "moldova",
    "united republic of tanzania": "tanzania", "tanzania united republic of": "tanzania",
    "brunei darussalam": "brunei", "cape verde": "cabo verde", "swaziland": "eswatini",
    "east timor": "timor-leste", "timor leste": "timor-leste", "ivory coast": "cote divoire",
    "state of palestine": "palestine", "macau": "macao", "turkiye": "turkey", "czechia": "czech republic",
    "dr congo": "democratic republic of the congo", "congo democratic republic of the":
        "democratic republic of the congo", "the netherlands": "netherlands", "kingdom of the netherlands":
        "netherlands", "the bahamas": "bahamas", "the gambia": "gambia", "faeroe islands": "faroe islands",
    "bolivia plurinational state of": "bolivia", "venezuela bolivarian republic of": "venezuela",
    "us virgin islands": "united states virgin islands", "virgin islands us": "united states virgin islands",
    "virgin islands british": "british virgin islands", "reunion island": "reunion",
    "saint helena ascension and tristan da cunha": "saint helena", "republic of cyprus": "cyprus",
}


def norm_label(s):
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    s = re.sub(r"[^a-z0-9 -]+", "", s.replace("&", "and"))
    s = re.sub(r"\s+", " ", s).strip()
    if s.startswith("the "):
        s = s[4:]
    return _ALIASES.get(s, s)


def ship_type_group(code):
    if code is None:
        return None
    c = int(code)
    if c < 20 or c > 99:
        return None  # not a ship type: the question is not asked
    table = {30: "fishing", 31: "towing", 32: "towing", 33: "dredging", 34: "diving", 35: "military",
             36: "sailing", 37: "pleasure", 50: "pilot", 51: "search and rescue", 52: "tug",
             55: "law enforcement"}
    if c in table:
        return table[c]
    for lo, hi, g in ((40, 49, "high-speed craft"), (60, 69, "passenger"), (70, 79, "cargo"),
                      (80, 89, "tanker"), (20, 29, "wing in ground")):
        if lo <= c <= hi:
            return g
    return "other"


def flag_names(mmsi):
    """Accepted names of the MMSI's flag state; None when the MID is not in the table."""
    s = str(mmsi)
    if len(s) != 9:
        return None
    names = MID.get(int(s[:3]))
    return None if names is None else names


# ---------------------------------------------------------------------------------------------
# the user turn (section 2)

_TIME = r"(?:(\d{4}-\d{2}-\d{2})[ T])?(\d{2}):(\d{2}):(\d{2})"
_TIME_RE = re.compile(r"(?<![\d:])" + _TIME + r"(?![\d:])")


class Prompt:
    def __init__(self):
        self.mmsi = None
        self.identity = {}        # key -> value as written
        self.day0 = None          # epoch seconds of the date header's midnight
        self.rows = []            # [(t, {column: cell})]
        self.question = ""
        self.lines = []

    def time_seconds(self, date_s, hh, mm, ss):
        base = parse_day(date_s) if date_s else self.day0
        return base + int(hh) * 3600 + int(mm) * 60 + int(ss)

    def cells(self):
        """Every whole cell and identity value, as written (for the copy metric)."""
        out = set(self.identity.values())
        for _, c in self.rows:
            for k, v in c.items():
                out.add(v)
                if k == "time" and " " in v:
                    out.add(v.split(" ")[1])
        out.discard("-")
        return out


_IDENTITY_RES = [("mmsi", r"MMSI (\d+)"), ("name", r"name (.+)"), ("ship_type", r"AIS ship type code (\d+)"),
                 ("length", r"length ([\d.]+) metres?"), ("beam", r"beam ([\d.]+) metres?"),
                 ("draught", r"draught ([\d.]+) metres?"), ("ais_class", r"AIS class (\S+)")]


def parse_prompt(text):
    p = Prompt()
    lines = text.split("\n")
    p.lines = lines
    header = None
    qlines = []
    in_question = False
    for line in lines:
        s = line.strip()
        if in_question:
            qlines.append(line)
            continue
        if s.startswith("Vessel:"):
            for part in s[len("Vessel:"):].split(";"):
                part = part.strip()
                for key, rx in _IDENTITY_RES:
                    m = re.fullmatch(rx, part)
                    if m:
                        p.identity[key] = m.group(1)
                        break
                else:  # a part this check does not name ("call sign WDG9578"): its last word
                    if part:
                        p.identity["part:" + part] = part.split()[-1]
            if "mmsi" in p.identity:
                p.mmsi = int(p.identity["mmsi"])
        elif s.startswith("Track (UTC"):
            m = re.search(r"Track \(UTC, (\d{4}-\d{2}-\d{2})", s)
            if m:
                p.day0 = parse_day(m.group(1))
        elif header is None and s.startswith("time |"):
            header = [c.strip() for c in s.split("|")]
        elif header is not None and s.startswith("Question:"):
            in_question = True
            qlines.append(s[len("Question:"):].strip())
        elif header is not None and "|" in s and not p.question:
            cells = [c.strip() for c in s.split("|")]
            if len(cells) != len(header):
                continue
            c = dict(zip(header, cells))
            m = re.fullmatch(_TIME, c["time"])
            if not m:
                continue
            p.rows.append((p.time_seconds(*m.groups()), c))
    p.question = "\n".join(qlines).strip()
    return p


def question_times(p):
    """Times of day named in the question, as epoch seconds (date from the table when not written)."""
    out = []
    for m in _TIME_RE.finditer(p.question):
        out.append((m.start(), p.time_seconds(*m.groups()), bool(m.group(1))))
    return out


def question_point(p):
    """(lat, lon) of the target point: the first two numbers with 5 decimals in the question."""
    nums = []
    for m in re.finditer(r"(?<![\d.])(-?\d{1,3}\.\d{5})(?!\d)\s*°?\s*([NSEW])?(?![A-Za-z])", p.question):
        v = float(m.group(1))
        if m.group(2) in ("S", "W"):
            v = -abs(v)
        nums.append(v)
    return (nums[0], nums[1]) if len(nums) >= 2 else None


def question_deadline(p, t_last):
    """The deadline: a time after 'by'/'before'/'deadline' if any, else the last time in the question."""
    times = question_times(p)
    if not times:
        return None
    pick = times[-1]
    for pos, t, dated in times:
        if re.search(r"(by|before|until|deadline|latest)(\s+(of|is|at))?\W*$", p.question[:pos], re.I):
            pick = (pos, t, dated)
            break
    _, t, dated = pick
    if not dated:  # the date closest to the last row
        while t - t_last > 43200:
            t -= 86400
        while t_last - t > 43200:
            t += 86400
    return t


# ---------------------------------------------------------------------------------------------
# the assistant turn (section 4)

_NUM = r"(?<![\w.])(-?\d+(?:\.\d+)?)(?![\d])"
_UNITS = [
    ("speed", r"knots?|kn|kts?"),
    ("distance", r"nautical miles?|nmi|nm|NM"),
    ("angle", r"degrees?|deg|°"),
    ("hour", r"hours?|hrs?|h"),
    ("minute", r"minutes?|mins?"),
    ("second", r"seconds?|secs?|s"),
    ("length", r"metres?|meters?|m"),
    ("percent", r"percent|per cent|%"),
]
_UNIT_RE = re.compile(r"\s*(" + "|".join(f"(?P<{k}>{v})" for k, v in _UNITS) + r")(?![A-Za-z])", re.I)
_TIME_UNITS = {"hour": 3600, "minute": 60, "second": 1}
_DIM = {}
for _k in SPEED:
    _DIM[_k] = "speed"
for _k in DISTANCE:
    _DIM[_k] = "distance"
for _k in BEARING | ANGLE:
    _DIM[_k] = "angle"
for _k in LENGTH:
    _DIM[_k] = "length"
for _k in PERCENT:
    _DIM[_k] = "percent"


def answer_text(assistant):
    i = assistant.rfind("Answer:")
    return assistant[i + len("Answer:"):].strip() if i >= 0 else assistant.strip()


_NULLISH = re.compile(r"\b(none|no stops?|no turns?|not available|n/a|unknown|cannot|can't|undefined|"
                      r"not defined|no valid|null|no such|not enough|no data)\b", re.I)


def _numbers(text):
    """[(value_str, unit_kind or None, start, end)] of the numbers in text, times of day removed."""
    text = _TIME_RE.sub(lambda m: " " * len(m.group(0)), text)
    text = re.sub(r"\d{4}-\d{2}-\d{2}", lambda m: " " * len(m.group(0)), text)
    out = []
    for m in re.finditer(_NUM, text):
        u = _UNIT_RE.match(text, m.end())
        kind = None
        end = m.end()
        if u:
            kind = next(k for k, _ in _UNITS if u.group(k))
            end = u.end()
        out.append((m.group(1), kind, m.start(), end))
    return out


class Found:
    """A value read from an answer: value (number in the fact's unit, seconds for times of day,
    label string), written (as written, for copy and answer mode), note (why none)."""

    def __init__(self, value=None, written=None, note=None):
        self.value, self.written, self.note = value, written, note

    def __repr__(self):
        if self.note is not None:
            return f"{self.written!r} ({self.note})"
        v = round(self.value, 4) if isinstance(self.value, float) else self.value
        return f"{self.written!r}" if str(v) == str(self.written) else f"{self.written!r} (= {v})"


def parse_answer(assistant, fact_key, prompt=None):
    text = answer_text(assistant)
    if fact_key in YES_NO:
        m = re.match(r"\W*(yes|no)\b", text, re.I)
        return Found(m.group(1).lower(), m.group(1)) if m else Found(note="no yes/no", written=text[:40])
    if fact_key in TIME_OF_DAY:
        m = _TIME_RE.search(text)
        if not m:
            return Found(note="no time of day", written=text[:40])
        secs = int(m.group(2)) * 3600 + int(m.group(3)) * 60 + int(m.group(4))
        return Found(secs, f"{m.group(2)}:{m.group(3)}:{m.group(4)}")
    if fact_key == "flag_state":
        return _parse_flag(text)
    if fact_key in LABELS:
        return _parse_label(text, LABELS[fact_key])
    nums = _numbers(text)
    if fact_key in MINUTES or fact_key in SECONDS:
        unit = 60 if fact_key in MINUTES else 1
        # the first run of adjacent number + time-unit parts ("1 hour 5 minutes", "56 minutes 29 seconds")
        group = []
        for v, kind, s, e in nums:
            if kind in _TIME_UNITS:
                if group and not re.fullmatch(r"[\s,]*(and)?\s*", text[group[-1][3]:s]):
                    break
                group.append((v, kind, s, e))
            elif group:
                break
        if group:
            secs = sum(float(v) * _TIME_UNITS[k] for v, k, _, _ in group)
            written = group[0][0] if len(group) == 1 else text[group[0][2]:group[-1][3]].strip()
            return Found(secs / unit, written)
        plain = [n for n in nums if n[1] is None]
        if plain:
            return Found(float(plain[0][0]), plain[0][0])
        return Found(note="no duration", written=text[:40])
    if fact_key in COUNT:
        ints = [n for n in nums if re.fullmatch(r"-?\d+", n[0])]
        if ints:
            return Found(int(ints[0][0]), ints[0][0])
        m = re.match(r"\W*(no|none|zero)\b", text, re.I)
        if m:
            return Found(0, m.group(1))
        return Found(note="no count", written=text[:40])
    dim = _DIM.get(fact_key)
    same = [n for n in nums if n[1] == dim]
    if same:
        return Found(float(same[0][0]), same[0][0])
    plain = [n for n in nums if n[1] is None]
    if plain:
        return Found(float(plain[0][0]), plain[0][0])
    if nums:
        return Found(note=f"unit {nums[0][1]} for {dim}", written=text[nums[0][2]:nums[0][3]])
    return Found(note="no number", written=text[:40])


def _parse_label(text, labels):
    low = text.lower()
    best = None
    for lab in labels:
        for m in re.finditer(r"(?<![a-z-])" + re.escape(lab) + r"(?![a-z-])", low):
            cand = (m.start(), -len(lab), lab)
            if best is None or cand < best:
                best = cand
    if best is None:
        return Found(note="no label", written=text[:40])
    return Found(best[2], text[best[0]:best[0] - best[1]])


# names searched for in an answer (short aliases such as "us" only as the whole answer)
_COUNTRY_NAMES = sorted({n for names in MID.values() for n in names} | {a for a in _ALIASES if len(a) > 3},
                        key=len, reverse=True)


def _parse_flag(text):
    best = None
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    for name in _COUNTRY_NAMES:
        for m in re.finditer(r"(?<![A-Za-z])" + re.escape(name) + r"(?![A-Za-z])", plain, re.I):
            cand = (m.start(), -len(name))
            if best is None or cand < best:
                best = cand
    if best is not None:
        w = plain[best[0]:best[0] - best[1]]
        return Found(norm_label(w), w)
    w = text.rstrip(". ").strip()
    return Found(norm_label(w), w) if w else Found(note="no country", written=text[:40])


# ---------------------------------------------------------------------------------------------
# tolerances (section 3)


def allowed(fact_key, expected):
    e = abs(expected)
    if fact_key in SPEED:
        return max(0.5, 0.05 * e)
    if fact_key in DISTANCE:
        return max(0.1, 0.05 * e)
    if fact_key in MINUTES:
        return max(1.0, 0.05 * e)
    if fact_key in SECONDS:
        return max(5.0, 0.05 * e)
    if fact_key in TIME_OF_DAY:
        return 60.0
    if fact_key in BEARING or fact_key in ANGLE:
        return 10.0
    if fact_key in LENGTH:
        return 1.0
    if fact_key in PERCENT:
        return 5.0
    return 0.0


def agrees(fact_key, expected, found, margins=None):
    """expected: the fact (None = null); found: a Found. Labels near a threshold (margins) accept
    either side (floating-point order of operations)."""
    if expected is None:
        return found.value is None
    if found.value is None:
        return False
    if fact_key in YES_NO or fact_key in LABELS:
        if str(found.value) != expected and margins:
            m = margins.get("_" + fact_key + "_margin")
            if m is not None and m < 1e-6:
                return True
        return str(found.value).lower() == str(expected).lower()
    if fact_key == "flag_state":
        return found.value in {norm_label(n) for n in expected}
    if fact_key in COUNT:
        return int(found.value) == int(expected)
    if fact_key in TIME_OF_DAY:
        d = abs((found.value - expected % 86400) % 86400)
        return min(d, 86400 - d) <= 60
    if fact_key in BEARING:
        d = abs(found.value - expected) % 360
        return min(d, 360 - d) <= 10 + 1e-9
    return abs(found.value - expected) <= allowed(fact_key, expected) + 1e-9


def show_expected(fact_key, v):
    if v is None:
        return None
    if fact_key in TIME_OF_DAY:
        return tod(v) + " UTC"
    if fact_key == "flag_state":
        return "|".join(v)
    if isinstance(v, float):
        return round(v, 4)
    return v


# ---------------------------------------------------------------------------------------------
# recomputation of one pair


class PositionIndex:
    """ais_positions rows by (mmsi, whole second)."""

    def __init__(self, records):
        self.by_key = defaultdict(list)
        for r in records:
            self.by_key[(r["mmsi"], r["t"])].append(r)

    def lookup(self, mmsi, t, cells):
        cands = self.by_key.get((mmsi, t), [])
        if not cands:
            return None
        lat, lon = float(cells["lat"]), float(cells["lon"])

        def key(r):
            mine = shown_cells(r, 0)
            # closest in lat/lon as shown (rounded); among reports of the same second that round to
            # the same position (duplicates from several receivers), the one whose other cells match
            # the table; then the closest unrounded position
            return ((float(mine["lat"]) - lat) ** 2 + (float(mine["lon"]) - lon) ** 2,
                    sum(1 for k, v in mine.items() if k not in ("time", "lat", "lon") and v != cells.get(k)),
                    (r["lat"] - lat) ** 2 + (r["lon"] - lon) ** 2)
        return min(cands, key=key)


def rebuild_rows(prompt, index):
    """(rows from ais_positions rounded as the spec says, mismatching row numbers, missing row numbers)."""
    rows, mismatched, missing = [], [], []
    first_day = parse_day(day(prompt.rows[0][0])) if prompt.rows else 0
    for i, (t, cells) in enumerate(prompt.rows):
        rec = index.lookup(prompt.mmsi, t, cells)
        if rec is None:
            missing.append(i)
            mismatched.append(i)
            continue
        mine = shown_cells(rec, first_day)
        if any(mine[k] != cells.get(k) for k in mine):
            mismatched.append(i)
        rows.append(row_from_cells(t, mine))
    return rows, mismatched, missing


def expected_value(fact_key, prompt, rows, notes):
    """The fact per the spec for this pair; rows are this check's own rows."""
    if fact_key == "ship_type_group":
        return ship_type_group(prompt.identity.get("ship_type"))
    if fact_key == "flag_state":
        return flag_names(prompt.mmsi)
    if fact_key == "length_m":
        v = prompt.identity.get("length")
        return None if v is None else float(v)
    facts = window_facts(rows)
    notes.update({k: v for k, v in facts.items() if k.startswith("_")})
    if fact_key == "partial_speed_kn":
        a_spec, b_spec = partial_rows(len(rows))
        # the rows the question names; a time written without a date (a row the table shows with its
        # date, after midnight) is matched on the time of day
        named = []
        for _, t, dated in question_times(prompt):
            hits = [i for i, r in enumerate(rows) if (r.t == t if dated else r.t % 86400 == t % 86400)]
            if not hits:
                notes["question_data"] = f"question time {tod(t)} is not a row"
                return facts["partial_speed_kn"]
            named.append(hits)
        if len(named) >= 2:
            a, b = min(named[0][0], named[-1][0]), max(named[0][-1], named[-1][-1])
            if rows[a].t != rows[a_spec].t or rows[b].t != rows[b_spec].t:
                notes["question_data"] = (f"question rows {a},{b} ({tod(rows[a].t)}, {tod(rows[b].t)}); spec rows "
                                          f"{a_spec},{b_spec} ({tod(rows[a_spec].t)}, {tod(rows[b_spec].t)})")
            return partial_speed(rows, legs_nm(rows), a, b)
        notes["question_data"] = "question names no two times"
        return facts["partial_speed_kn"]
    if fact_key in ("eta_min", "reach_by"):
        target = question_point(prompt)
        if target is None:
            notes["question_data"] = "no target point in the question"
            return None
        last = rows[-1]
        eta = eta_min(rows, target)
        _check_target(prompt, rows, target, notes)
        if fact_key == "eta_min":
            return eta
        deadline = question_deadline(prompt, last.t)
        if deadline is None or eta is None:
            notes["question_data"] = "no deadline in the question"
            return None
        if deadline != last.t + 1800:
            notes["question_data"] = f"deadline {tod(deadline)} is not last row + 30 min"
        arrival = last.t + eta * 60
        notes["_reach_by_margin"] = abs(arrival - deadline)
        return "yes" if arrival <= deadline else "no"
    if fact_key not in facts:
        raise KeyError(f"fact_key {fact_key} is not in docs/qa-facts.md")
    return facts[fact_key]


def _check_target(prompt, rows, target, notes):
    """The question's point: along the last row's COG, SOG x H / 60 nm away, H in 10..50 minutes."""
    last = rows[-1]
    if not last.valid_sog or last.sog < 2.0 or last.cog is None:
        notes["question_data"] = "eta asked but the last row has no valid SOG >= 2 kn and COG"
        return
    d_m, azi = inverse(last.lat, last.lon, target[0], target[1])
    h = d_m / NM / last.sog * 60
    da = abs(azi - last.cog) % 360
    if min(da, 360 - da) > 1.0 or not (10 - 0.1 <= h <= 50 + 0.1) or abs(h - round(h)) > 0.05:
        notes["question_data"] = f"target at {azi:.1f} deg, {h:.2f} min of SOG (COG {last.cog})"


def check_pair(pair, index):
    """Returns dict with ok, expected, found, notes, mismatched, missing rows."""
    prompt = parse_prompt(pair["user"])
    fk = pair["fact_key"]
    res = {"qa_id": pair["qa_id"], "fact_key": fk, "template_id": pair.get("template_id"),
           "mismatched_rows": 0, "missing_rows": 0}
    notes = {}
    try:
        if fk not in KNOWN:
            raise KeyError(f"fact_key {fk} is not in docs/qa-facts.md")
        if prompt.mmsi is None or not prompt.rows or prompt.day0 is None:
            raise ValueError("user turn: no MMSI, date header or track rows")
        rows = []
        if fk not in IDENTITY:
            rows, mismatched, missing = rebuild_rows(prompt, index)
            res["mismatched_rows"], res["missing_rows"] = len(mismatched), len(missing)
            if missing:
                raise LookupError(f"rows {missing} of the table are not in ais_positions")
        expected = expected_value(fk, prompt, rows, notes)
        found = parse_answer(pair["assistant"], fk, prompt)
        res["ok"] = agrees(fk, expected, found, notes)
        res["expected"] = show_expected(fk, expected)
        res["found"] = repr(found)
        if not res["ok"] and rows:
            res["rows"] = [repr(r) for r in rows]
    except Exception as e:  # one unreadable pair is a disagreement, not a crash
        res["ok"] = False
        res["expected"] = None
        try:
            res["found"] = repr(parse_answer(pair["assistant"], fk)) if fk in KNOWN else None
        except Exception:
            res["found"] = None
        res["error"] = f"{type(e).__name__}: {e}"
    if "question_data" in notes:
        res["question_data"] = notes["question_data"]
    if pair.get("claim") is not None:
        res["java_claim"] = pair["claim"]
    return res


# ---------------------------------------------------------------------------------------------
# balance metrics (section 5)


def copy_of_prompt(found, prompt):
    if found.written is None or found.value is None:
        return False
    cells = prompt.cells()
    w = found.written.strip()
    return w in cells or w.lower() in {c.lower() for c in cells}


def answer_mode_value(pair, found):
    if found.value is not None and found.written is not None:
        return found.written.strip().lower()
    return answer_text(pair["assistant"]).strip().lower()


def p95(xs):
    s = sorted(xs)
    if not s:
        return None
    return s[max(0, math.ceil(0.95 * len(s)) - 1)]


def balance(pairs, mode_min_pairs=1):
    trivial = copies = 0
    window_trivial = {}
    modes = defaultdict(Counter)
    for pr in pairs:
        prompt = parse_prompt(pr["user"])
        table_key = hashlib.sha256("\n".join(repr(c) for _, c in prompt.rows).encode()).hexdigest()
        if table_key not in window_trivial:
            rows = [row_from_cells(t, c) for t, c in prompt.rows]
            window_trivial[table_key] = bool(rows) and is_trivial(rows)
        trivial += window_trivial[table_key]
        fk = pr.get("fact_key")
        if fk in KNOWN:
            found = parse_answer(pr["assistant"], fk, prompt)
        else:
            found = _generic_value(answer_text(pr["assistant"]))
        copies += copy_of_prompt(found, prompt)
        modes[pr.get("template_id")][answer_mode_value(pr, found)] += 1
    n = len(pairs)
    mode_share = {}
    for tid, c in modes.items():
        total = sum(c.values())
        if total >= mode_min_pairs:
            value, k = c.most_common(1)[0]
            mode_share[tid] = (100 * k / total, value, total)
    fact_keys = {pr["fact_key"] for pr in pairs if pr.get("fact_key") and pr["fact_key"] not in IDENTITY
                 and pr.get("category") != "identity"}
    tokens = [pr["n_tokens"] for pr in pairs if pr.get("n_tokens") is not None]
    return {
        "pairs": n,
        "trivial_pct": 100 * trivial / n if n else 0.0,
        "copy_pct": 100 * copies / n if n else 0.0,
        "answer_mode": mode_share,
        "max_answer_mode_pct": max((v[0] for v in mode_share.values()), default=0.0),
        "templates": len({pr.get("template_id") for pr in pairs if pr.get("template_id")}),
        "multi_row_fact_types": len(fact_keys),
        "multi_row_fact_keys": sorted(fact_keys),
        "p95_chat_tokens": p95(tokens),
    }


def _generic_value(text):
    """Value of a free-text answer (no fact_key): time, yes/no, first number, else the text."""
    m = re.match(r"\W*(yes|no)\b", text, re.I)
    if m:
        return Found(m.group(1).lower(), m.group(1))
    m = _TIME_RE.search(text)
    if m:
        return Found(0, f"{m.group(2)}:{m.group(3)}:{m.group(4)}")
    nums = _numbers(text)
    if nums:
        return Found(float(nums[0][0]), nums[0][0])
    return Found(text.strip().rstrip("."), text.strip().rstrip("."))


# ---------------------------------------------------------------------------------------------
# I/O


def read_export(export_dir):
    import pyarrow.parquet as pq
    out = []
    for split in ("train", "validation", "test"):
        path = os.path.join(export_dir, "parquet", f"{split}.parquet")
        if not os.path.exists(path):
            continue
        for r in pq.read_table(path).to_pylist():
            msgs = r.get("messages") or []
            user = next((m["content"] for m in msgs if m["role"] == "user"), "")
            assistant = next((m["content"] for m in reversed(msgs) if m["role"] == "assistant"), "")
            out.append({"split": r.get("split", split), "qa_id": r["qa_id"], "window_id": r.get("window_id"),
                        "mmsi": r.get("mmsi"), "category": r.get("category"), "user": user,
                        "assistant": assistant, "n_tokens": r.get("n_tokens")})
    return out


def delta(lakehouse, name, columns=None):
    from deltalake import DeltaTable
    return DeltaTable(os.path.join(lakehouse, name)).to_pyarrow_table(columns=columns)


def read_positions(lakehouse, mmsis):
    import pyarrow as pa
    import pyarrow.dataset as ds
    from deltalake import DeltaTable
    cols = ["mmsi", "ts", "lat", "lon", "sog", "cog", "heading", "nav_status"]
    dataset = DeltaTable(os.path.join(lakehouse, "ais_positions")).to_pyarrow_dataset()
    t = dataset.to_table(columns=cols, filter=ds.field("mmsi").isin(sorted(mmsis)))
    ts = t.column("ts")
    unit = ts.type.unit
    per_s = {"s": 1, "ms": 1000, "us": 1_000_000, "ns": 1_000_000_000}[unit]
    ticks = ts.cast(pa.int64()).to_pylist()  # ticks since the epoch, UTC
    out = []
    for r, tk in zip(t.select([c for c in cols if c != "ts"]).to_pylist(), ticks):
        if tk is None:
            continue
        r["t"] = tk // per_s
        out.append(r)
    return out


def load_pairs(lakehouse, export_dir):
    exported = read_export(export_dir)
    cand = delta(lakehouse, "qa_candidates", ["qa_id", "template_id", "fact_key", "claim", "prompt_version"])
    cand = {r["qa_id"]: r for r in cand.to_pylist()}
    judged = delta(lakehouse, "qa_judged", ["qa_id", "verdict"]).to_pylist()
    accepted = {r["qa_id"] for r in judged if r["verdict"] == "accepted"}
    pairs, not_accepted = [], 0
    for e in exported:
        if e["qa_id"] not in accepted:
            not_accepted += 1
            continue
        c = cand.get(e["qa_id"], {})
        e.update({"template_id": c.get("template_id"), "fact_key": c.get("fact_key"), "claim": c.get("claim"),
                  "prompt_version": c.get("prompt_version")})
        pairs.append(e)
    return pairs, not_accepted, len(exported)


def sample(pairs, n):
    with_fact = [p for p in pairs if p.get("fact_key")]
    with_fact.sort(key=lambda p: hashlib.sha256(p["qa_id"].encode("utf-8")).hexdigest())
    return with_fact[:n]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("lakehouse")
    ap.add_argument("export_dir")
    ap.add_argument("--sample", type=int, default=600)
    ap.add_argument("--out")
    ap.add_argument("--min-agreement-pct", type=float, default=99.0)
    ap.add_argument("--max-trivial-pct", type=float, default=20.0)
    ap.add_argument("--max-copy-pct", type=float, default=30.0)
    ap.add_argument("--max-answer-mode-pct", type=float, default=60.0)
    ap.add_argument("--mode-min-pairs", type=int, default=1,
                    help="templates with fewer accepted pairs are left out of the answer-mode check")
    ap.add_argument("--min-templates", type=int, default=40)
    ap.add_argument("--min-multi-row-fact-types", type=int, default=15)
    ap.add_argument("--max-p95-tokens", type=float, default=2048)
    ap.add_argument("--min-checked", type=int, default=500)
    args = ap.parse_args(argv)

    pairs, not_accepted, exported = load_pairs(args.lakehouse, args.export_dir)
    chosen = sample(pairs, args.sample)
    mmsis = set()
    for pr in chosen:
        m = re.search(r"MMSI (\d+)", pr["user"])
        if m:
            mmsis.add(int(m.group(1)))
    index = PositionIndex(read_positions(args.lakehouse, mmsis) if mmsis else [])
    results = [check_pair(pr, index) for pr in chosen]
    checked = len(results)
    agreeing = sum(1 for r in results if r["ok"])
    disagreements = [r for r in results if not r["ok"]]
    mismatched_rows = sum(r["mismatched_rows"] for r in results)
    missing_rows = sum(r["missing_rows"] for r in results)
    question_issues = [r for r in results if "question_data" in r]
    bal = balance(pairs, args.mode_min_pairs)
    over = sorted(t for t, v in bal["answer_mode"].items() if v[0] > args.max_answer_mode_pct)
    available = sum(1 for p in pairs if p.get("fact_key"))
    agreement = 100 * agreeing / checked if checked else 0.0
    per_fact = defaultdict(lambda: [0, 0])
    for r in results:
        per_fact[r["fact_key"]][0] += 1
        per_fact[r["fact_key"]][1] += r["ok"]
    versions = Counter(p.get("prompt_version") for p in pairs)

    fails = []
    if agreement < args.min_agreement_pct:
        fails.append(f"agreement {agreement:.2f} % < {args.min_agreement_pct}")
    if bal["trivial_pct"] > args.max_trivial_pct:
        fails.append(f"trivial {bal['trivial_pct']:.2f} % > {args.max_trivial_pct}")
    if bal["copy_pct"] > args.max_copy_pct:
        fails.append(f"copy {bal['copy_pct']:.2f} % > {args.max_copy_pct}")
    if over:
        fails.append(f"answer mode > {args.max_answer_mode_pct} % in templates {over}")
    if bal["templates"] < args.min_templates:
        fails.append(f"templates {bal['templates']} < {args.min_templates}")
    if bal["multi_row_fact_types"] < args.min_multi_row_fact_types:
        fails.append(f"multi-row fact types {bal['multi_row_fact_types']} < {args.min_multi_row_fact_types}")
    if bal["p95_chat_tokens"] is None or bal["p95_chat_tokens"] > args.max_p95_tokens:
        fails.append(f"p95 chat tokens {bal['p95_chat_tokens']} > {args.max_p95_tokens}")
    if available >= args.min_checked and checked < args.min_checked:
        fails.append(f"checked {checked} < {args.min_checked} ({available} pairs with a fact)")

    print(f"pairs={bal['pairs']} exported={exported} exported_not_accepted={not_accepted} "
          f"with_fact={available} prompt_versions={dict(versions)}")
    print(f"agreement_pct={agreement:.2f}")
    print(f"checked={checked}")
    print(f"trivial_pct={bal['trivial_pct']:.2f}")
    print(f"copy_pct={bal['copy_pct']:.2f}")
    print(f"max_answer_mode_pct={bal['max_answer_mode_pct']:.2f}")
    print(f"templates_over_answer_mode={','.join(str(t) for t in over)}")
    print(f"templates={bal['templates']}")
    print(f"multi_row_fact_types={bal['multi_row_fact_types']}")
    print(f"p95_chat_tokens={bal['p95_chat_tokens']}")
    print(f"table_row_mismatches={mismatched_rows}")
    print(f"table_rows_missing={missing_rows}")
    print(f"question_data_mismatches={len(question_issues)}")
    for r in disagreements[:20]:
        extra = " ".join(f"{k}={r[k]!r}" for k in ("error", "question_data", "java_claim") if k in r)
        print(f"disagreement qa_id={r['qa_id']} fact_key={r['fact_key']} expected={r['expected']!r} "
              f"found={r['found']} {extra}".rstrip())
    print("verify_qa: " + ("OK" if not fails else "FAIL: " + "; ".join(fails)))
    if args.out:
        report = {
            "agreement_pct": agreement, "checked": checked, "agreeing": agreeing,
            "trivial_pct": bal["trivial_pct"], "copy_pct": bal["copy_pct"],
            "max_answer_mode_pct": bal["max_answer_mode_pct"], "templates_over_answer_mode": over,
            "templates": bal["templates"], "multi_row_fact_types": bal["multi_row_fact_types"],
            "multi_row_fact_keys": bal["multi_row_fact_keys"], "p95_chat_tokens": bal["p95_chat_tokens"],
            "table_row_mismatches": mismatched_rows, "table_rows_missing": missing_rows,
            "pairs": bal["pairs"], "exported": exported, "exported_not_accepted": not_accepted,
            "with_fact": available, "prompt_versions": {str(k): v for k, v in versions.items()},
            "answer_mode": {str(t): {"pct": v[0], "value": v[1], "pairs": v[2]}
                            for t, v in sorted(bal["answer_mode"].items(), key=lambda kv: str(kv[0]))},
            "per_fact": {k: {"checked": v[0], "agreeing": v[1]} for k, v in sorted(per_fact.items())},
            "disagreements": disagreements[:200], "question_data_mismatches": question_issues[:200],
            "failures": fails,
        }
        with open(args.out, "w", encoding="utf-8") as f:
            json.dump(report, f, indent=2, sort_keys=True, default=str)
    return 1 if fails else 0


if __name__ == "__main__":
    from hard_exit import exit_now

    exit_now(main())
