"""report.html and villages.csv as ``compare`` writes them (sim.report.run_files,
sim.report.html, sim.report.villages) on a short real run of the built-in county; and the
page opened in headless Chromium: every image decoded, every figure drawn, no script error.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.kpi import village_table
from sim.records.ledger import PARCEL_IN
from sim.report.run_files import write_comparison
from sim.report.villages import VILLAGE_COLUMNS, village_frame

LISHUI = Path(__file__).resolve().parents[2] / "scenarios" / "lishui.toml"
MODES = ["separate", "integrated"]
# KPI bars, cost and CO2 per flow, days, utilisation; a county map per mode, and operator
# panels for the separate mode
FIGURES_PER_PAGE = 5 + len(MODES) + MODES.count("separate")
CHROMIUM_SECONDS = 90


@pytest.fixture(scope="module")
def comparison():
    scenario = sim.derive(sim.load(LISHUI), {"days": 3, "warmup_days": 1, "replications": 2})
    return sim.compare(scenario, MODES)


@pytest.fixture(scope="module")
def folder(comparison, tmp_path_factory):
    out = tmp_path_factory.mktemp("compare")
    written = write_comparison(comparison.results, out)
    assert {p.name for p in written} >= {"report.html", "villages.csv"}
    return out


def test_the_page_is_one_file_that_fetches_nothing(folder):
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert page.count("<svg") == FIGURES_PER_PAGE
    assert f'data-figures="{FIGURES_PER_PAGE}"' in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page)
    assert not re.search(r"<(img|link|script)\b", page)
    assert "@media print" in page and "size: A4" in page


def test_the_page_holds_the_kpis_their_intervals_and_the_settings(comparison, folder):
    page = html.unescape((folder / "report.html").read_text(encoding="utf-8"))
    on_time = comparison.estimates("integrated")["last_km.on_time_share"]
    assert f"{on_time.mean:.3f} ± {on_time.half_width:.3f}" in page
    scenario = comparison.results["separate"][0].record.scenario
    settings = json.dumps(scenario.model_dump(mode="json"), indent=2, ensure_ascii=False)
    assert settings in page
    assert 'mode = "integrated"' in page  # what the second group changes


def test_villages_csv_is_the_per_village_table_of_each_mode(comparison, folder):
    table = pd.read_csv(folder / "villages.csv")
    assert list(table.columns) == ["mode", *VILLAGE_COLUMNS]
    rec = comparison.results["integrated"][0].record
    assert (table["mode"] == "integrated").sum() == len(rec.places.villages)
    mine = table[table["mode"] == "separate"]
    assert mine["population"].tolist() == rec.places.village_population.tolist()


def test_a_village_frame_counts_each_item_once_and_agrees_with_village_table(comparison):
    rec = comparison.results["separate"][0].record
    frame = village_frame(rec)
    base = village_table(rec)
    rows = rec.measured_rows(PARCEL_IN)
    to_villages = (rec.places.village_of_node[rec.ledger.destination[rows]] >= 0).sum()
    assert frame["parcel_in_per_day"].sum() * rec.window.days == pytest.approx(to_villages)
    assert frame["in_village_share"].tolist() == pytest.approx(base["in_village_share"].tolist())
    served = frame["in_village_share"] > 0
    assert (frame.loc[served, "served_by"] != "").all()  # a parcel delivered there came on a trip


CHECK_HEAD = """<script>window.__errors = [];
window.addEventListener("error", e => window.__errors.push(String(e.message || e.type)), true);</script>"""
CHECK_TAIL = """<script>
const images = Array.from(document.images);
const svgs = Array.from(document.querySelectorAll("figure > svg"));
const result = {
  images: images.length,
  broken_images: images.filter(i => !(i.complete && i.naturalWidth > 0)).length,
  figures: svgs.length,
  empty_figures: svgs.filter(s => { const r = s.getBoundingClientRect(); return !(r.width > 0 && r.height > 0)
                                    || s.querySelectorAll("path, text, use").length === 0; }).length,
  errors: window.__errors,
};
const out = document.createElement("pre"); out.id = "check-result";
out.textContent = JSON.stringify(result); document.body.appendChild(out);
</script>"""


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def checked_in_chromium(page: str, folder: Path) -> dict:
    """Open ``page`` in headless Chromium with the checking scripts added; their result."""
    checked = page.replace("<head>", "<head>" + CHECK_HEAD, 1).replace("</body>", CHECK_TAIL + "</body>", 1)
    target = folder / "checked.html"
    target.write_text(checked, encoding="utf-8")
    command = [
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        f"--user-data-dir={folder / 'profile'}",
        "--virtual-time-budget=5000",
        "--dump-dom",
        target.as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=CHROMIUM_SECONDS, check=False)
    found = re.search(r'<pre id="check-result">(.*?)</pre>', done.stdout, re.DOTALL)
    assert found, f"chromium printed no check result (exit {done.returncode}): {done.stderr[-2000:]}"
    return json.loads(html.unescape(found.group(1)))


NO_CHROMIUM = "no headless Chromium here: install Debian's package (apt-get install chromium; .ci/run does)"


@pytest.mark.skipif(chromium() is None, reason=NO_CHROMIUM)
def test_the_page_opens_in_headless_chromium_with_every_figure_drawn_and_no_error(folder, tmp_path):
    result = checked_in_chromium((folder / "report.html").read_text(encoding="utf-8"), tmp_path)
    assert result == {
        "images": result["images"],
        "broken_images": 0,
        "figures": FIGURES_PER_PAGE,
        "empty_figures": 0,
        "errors": [],
    }


@pytest.mark.skipif(chromium() is None, reason=NO_CHROMIUM)
def test_the_checker_sees_a_broken_image_and_a_script_error(tmp_path):
    """The check above can fail: a page with an undecodable image and a throwing script."""
    page = (
        "<html><head></head><body><img src='data:image/png;base64,AAAA'>"
        "<script>undefined_function()</script></body></html>"
    )
    result = checked_in_chromium(page, tmp_path)
    assert result["images"] == 1 and result["broken_images"] == 1
    assert result["errors"] and "undefined_function" in result["errors"][0]
