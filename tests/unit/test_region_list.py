"""The shipped list of provinces and regencies/cities (Kepmendagri 300.2.2-2138/2025)."""

import json
import re
from pathlib import Path

from referral_service.agencies.service import shipped_directory
from referral_service.region_list import is_official_region, official_regions, regions_in

ROOT = Path(__file__).resolve().parents[2]

# shared reference (domain.md): Kalimantan Timur, Kemendagri codes.
KALIMANTAN_TIMUR = {
    "64": "Kalimantan Timur",
    "64.01": "Kabupaten Paser",
    "64.02": "Kabupaten Kutai Kartanegara",
    "64.03": "Kabupaten Berau",
    "64.07": "Kabupaten Kutai Barat",
    "64.08": "Kabupaten Kutai Timur",
    "64.09": "Kabupaten Penajam Paser Utara",
    "64.11": "Kabupaten Mahakam Ulu",
    "64.71": "Kota Balikpapan",
    "64.72": "Kota Samarinda",
    "64.74": "Kota Bontang",
}


def test_38_provinces_and_514_regencies_and_cities():
    regions = list(official_regions().by_code.values())
    assert sum(r.kind == "province" for r in regions) == 38
    assert sum(r.kind in ("regency", "city") for r in regions) == 514
    assert official_regions().metadata["counts"] == {"province": 38, "regency": 416, "city": 98}


def test_codes_are_dotted_kemendagri_codes_under_their_province():
    for region in official_regions().by_code.values():
        if region.kind == "province":
            assert re.fullmatch(r"[0-9]{2}", region.code) and region.parent_code is None, region
        else:
            assert re.fullmatch(r"[0-9]{2}\.[0-9]{2}", region.code), region
            assert region.parent_code == region.code[:2] and is_official_region(region.parent_code), region
            assert region.name.startswith("Kabupaten " if region.kind == "regency" else "Kota "), region


def test_kalimantan_timur_is_listed_as_the_domain_reference_has_it():
    assert {code: official_regions().by_code[code].name for code in KALIMANTAN_TIMUR} == KALIMANTAN_TIMUR
    assert [r.code for r in regions_in("64")] == sorted(set(KALIMANTAN_TIMUR) - {"64"})
    assert not is_official_region("99") and not is_official_region("64.72.01") and not is_official_region("64.05")


def test_the_shipped_agency_directory_uses_listed_regions_only():
    assert all(is_official_region(agency["region_code"]) for agency in shipped_directory()["agencies"])


def test_the_data_file_names_its_source_decree_and_licence():
    metadata = official_regions().metadata
    assert "idn-area-data 4.0.1" in metadata["source"]
    assert "300.2.2-2138 Tahun 2025" in metadata["regulation"]
    assert "Open Database License" in metadata["licence"] and "opendatacommons.org/licenses/odbl" in metadata["licence"]
    assert metadata["generated_by"] == "scripts/generate_region_list.py"
    assert (ROOT / metadata["generated_by"]).exists()


def test_the_data_file_is_what_the_script_renders(tmp_path):
    """The committed file matches the script's rendering of its own contents (no hand edits)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("generate_region_list", ROOT / "scripts" / "generate_region_list.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    committed = (ROOT / "src" / "referral_service" / "data" / "regions.json").read_text("utf-8")
    document = json.loads(committed)
    assert script.render(document["regions"], document["package_tarball_sha1"]) == committed
    assert script.dotted("6472") == "64.72" and script.dotted("64") == "64" and script.dotted("64.72") == "64.72"
