"""GET /v1/regions: the official list of provinces and regencies/cities, for any key."""

from referral_service.regions.schemas import RegionOut

PROBLEM = "application/problem+json"


async def test_any_key_reads_every_province_followed_by_its_regencies_and_cities(samarinda, raw_client):
    response = await samarinda.get("/v1/regions")
    assert response.status_code == 200, response.text
    regions = response.json()
    assert all(RegionOut.model_validate(region).model_dump(mode="json") == region for region in regions)
    assert regions[0] == {"code": "11", "name": "Aceh", "kind": "province", "parent_code": None}
    assert sum(r["kind"] == "province" for r in regions) == 38
    assert sum(r["kind"] in ("regency", "city") for r in regions) == 514
    provinces = set()
    for region in regions:
        if region["kind"] == "province":
            provinces.add(region["code"])
        else:
            # Each regency or city comes after its own province.
            assert region["parent_code"] in provinces and region["code"].startswith(region["parent_code"] + ".")
    assert (await raw_client.get("/v1/regions")).status_code == 401


async def test_parent_lists_the_regencies_and_cities_of_one_province(ombudsman_kaltim):
    response = await ombudsman_kaltim.get("/v1/regions", params={"parent": "64"})
    assert response.status_code == 200, response.text
    assert [(r["code"], r["name"], r["kind"]) for r in response.json()] == [
        ("64.01", "Kabupaten Paser", "regency"),
        ("64.02", "Kabupaten Kutai Kartanegara", "regency"),
        ("64.03", "Kabupaten Berau", "regency"),
        ("64.07", "Kabupaten Kutai Barat", "regency"),
        ("64.08", "Kabupaten Kutai Timur", "regency"),
        ("64.09", "Kabupaten Penajam Paser Utara", "regency"),
        ("64.11", "Kabupaten Mahakam Ulu", "regency"),
        ("64.71", "Kota Balikpapan", "city"),
        ("64.72", "Kota Samarinda", "city"),
        ("64.74", "Kota Bontang", "city"),
    ]
    assert {r["parent_code"] for r in response.json()} == {"64"}


async def test_a_parent_that_is_not_a_listed_province_is_a_422(ombudsman_kaltim):
    for parent in ("99", "64.72", "6", "Kaltim", ""):
        response = await ombudsman_kaltim.get("/v1/regions", params={"parent": parent})
        assert response.status_code == 422, (parent, response.text)
        assert response.headers["content-type"] == PROBLEM
