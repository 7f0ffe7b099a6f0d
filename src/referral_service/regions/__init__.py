"""The official list of provinces and regencies/cities (Kemendagri region codes) and `GET /v1/regions`."""
