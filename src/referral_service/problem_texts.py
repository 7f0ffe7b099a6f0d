"""Problem details in Bahasa Indonesia: `title` and `detail` follow `Accept-Language`.

Integrators at regional governments read these messages, so every problem the service raises has an
Indonesian text, keyed here by its English text. A detail built with values (`No agency with code
'x'.`) is keyed by its template with numbered places (`No agency with code {0}.`); the values are put
back in the Indonesian text wherever its word order needs them. tests/unit/test_problem_texts.py walks
the source for every problem constructed and fails for one without an Indonesian text here.

The language: `id` or `en` from `Accept-Language` (its q-values weigh), English when it names neither;
under /ui/ (the web pages) the pages' own language (their cookie), Indonesian by default, since a
browser's `Accept-Language` says nothing about the language the pages were read in.

What stays English in every language: the `type` URI, the machine-readable members (`errors[].type`,
`current_state`...), and the `errors[].message` of a 422 validation problem (pydantic's own words, one
per field; the field's `loc` says which field).
"""

from __future__ import annotations

import re
import string
from functools import cache
from typing import Any

LANGUAGES = ("en", "id")
API_DEFAULT = "en"
PAGES_DEFAULT = "id"
PAGES_PREFIX = "/ui/"
PAGES_COOKIE = "ui_lang"

INDONESIAN: dict[str, str] = {
    # --- titles --------------------------------------------------------------------------------------
    "Internal server error": "Kesalahan internal server",
    "Bad request": "Permintaan tidak sah",
    "Authentication required": "Autentikasi diperlukan",
    "Webhook signature verification failed": "Verifikasi tanda tangan webhook gagal",
    "Not permitted for this API key": "Tidak diizinkan untuk kunci API ini",
    "Forbidden": "Tidak diizinkan",
    "Resource not found": "Sumber daya tidak ditemukan",
    "Method not allowed": "Metode tidak diizinkan",
    "Not acceptable": "Format jawaban yang diminta tidak tersedia",
    "The request body did not arrive in time": "Isi permintaan tidak tiba tepat waktu",
    "Conflict": "Konflik",
    "Conflict with the current state": "Bertentangan dengan keadaan saat ini",
    "Action not allowed in the current state": "Tindakan tidak diizinkan pada keadaan saat ini",
    "A request with this Idempotency-Key is still being processed": (
        "Permintaan dengan Idempotency-Key ini masih diproses"
    ),
    "If-Match does not match the current ETag": "If-Match tidak sesuai dengan ETag saat ini",
    "This request requires If-Match": "Permintaan ini memerlukan If-Match",
    "Request body too large": "Isi permintaan terlalu besar",
    "Unsupported media type": "Jenis media tidak didukung",
    "Range not satisfiable": "Rentang tidak dapat dipenuhi",
    "The request could not be processed": "Permintaan tidak dapat diproses",
    "Idempotency-Key was already used with a different request": (
        "Idempotency-Key sudah dipakai untuk permintaan yang berbeda"
    ),
    "Service unavailable": "Layanan tidak tersedia",
    "Service not ready": "Layanan belum siap",
    "Too many requests": "Terlalu banyak permintaan",
    "Too many uploads in progress": "Terlalu banyak unggahan yang sedang berjalan",
    "Too many uploads in progress on the server": "Terlalu banyak unggahan yang sedang berjalan di server",
    "Request validation failed": "Validasi permintaan gagal",
    "Request body is not valid JSON": "Isi permintaan bukan JSON yang sah",
    # Starlette's own details for the statuses it raises (routing).
    "Not Found": "Tidak ditemukan",
    "Method Not Allowed": "Metode tidak diizinkan",
    "Not Acceptable": "Tidak dapat diterima",
    "Unauthorized": "Tidak terautentikasi",
    "Bad Request": "Permintaan tidak sah",
    # --- details: authentication, keys, roles ---------------------------------------------------------
    "Send an API key as `Authorization: Bearer <key>`.": "Kirim kunci API sebagai `Authorization: Bearer <key>`.",
    "Unknown or revoked API key.": "Kunci API tidak dikenal atau sudah dicabut.",
    "This operation needs one of the roles: {0}.": "Operasi ini memerlukan salah satu peran: {0}.",
    "Metrics need an admin key or the metrics token.": "Metrik memerlukan kunci admin atau token metrik.",
    "No active API key with this id.": "Tidak ada kunci API aktif dengan id ini.",
    "Over the limit of {0} a minute ({1}).": "Melewati batas {0} per menit ({1}).",
    "This key is limited to region {0}; {1} is outside it.": "Kunci ini terbatas pada wilayah {0}; {1} di luar wilayah itu.",
    "This key is limited to region {0}; agency {1} is in region {2}, outside it. A national Ombudsman key may "
    "refer across regions.": (
        "Kunci ini terbatas pada wilayah {0}; instansi {1} berada di wilayah {2}, di luar wilayah itu. Kunci "
        "Ombudsman nasional dapat merujuk lintas wilayah."
    ),
    # --- details: agencies ----------------------------------------------------------------------------
    "No agency with code {0}.": "Tidak ada instansi dengan kode {0}.",
    "Agency {0} does not exist.": "Instansi {0} tidak ada.",
    "Agency {0} is not in the directory.": "Instansi {0} tidak ada dalam direktori.",
    "Agency {0} is inactive and cannot receive referrals.": "Instansi {0} tidak aktif dan tidak dapat menerima rujukan.",
    "An agency cannot be its own parent.": "Instansi tidak dapat menjadi induk bagi dirinya sendiri.",
    "Parent agency {0} does not exist.": "Instansi induk {0} tidak ada.",
    "{0} is below {1} in the directory: the parent chain would loop.": (
        "{0} berada di bawah {1} dalam direktori: rantai induk akan berputar."
    ),
    "An agency with code {0} already exists.": "Instansi dengan kode {0} sudah ada.",
    "`{0}` cannot be null.": "`{0}` tidak boleh null.",
    "Only the agency itself or an admin may change its inbound settings.": (
        "Hanya instansi itu sendiri atau admin yang dapat mengubah pengaturan kiriman masuknya."
    ),
    # --- details: complaints and referrals ------------------------------------------------------------
    "No complaint with this id.": "Tidak ada pengaduan dengan id ini.",
    "No referral with this id.": "Tidak ada rujukan dengan id ini.",
    "No referral of this agency has this external_ref.": "Tidak ada rujukan instansi ini dengan external_ref ini.",
    "referral_id and external_ref name different referrals.": "referral_id dan external_ref menunjuk rujukan yang berbeda.",
    "Another referral of this agency already uses this external_ref.": (
        "Rujukan lain dari instansi ini sudah memakai external_ref ini."
    ),
    "Keys with the role {0} may not use `{1}` on a referral.": (
        "Kunci dengan peran {0} tidak boleh memakai `{1}` pada rujukan."
    ),
    "`{0}` is not allowed while the referral is {1}.": "`{0}` tidak diizinkan selama rujukan berstatus {1}.",
    "Status {0} maps to {1}, which needs data.{2}.": "Status {0} dipetakan ke {1}, yang memerlukan data.{2}.",
    "reported_party.agency_code {0} is not in the agency directory.": (
        "reported_party.agency_code {0} tidak ada dalam direktori instansi."
    ),
    "A complaint patch may nest objects at most {0} levels deep.": (
        "Patch pengaduan boleh menyarangkan objek paling dalam {0} tingkat."
    ),
    "A merge patch must be a JSON object.": "Merge patch harus berupa objek JSON.",
    "The complaint would not be valid after this patch; see `errors`.": (
        "Pengaduan tidak akan sah setelah patch ini; lihat `errors`."
    ),
    "{0} referral(s) of this complaint are not closed; close them first, or send `force: true` with a reason.": (
        "{0} rujukan dari pengaduan ini belum ditutup; tutup terlebih dahulu, atau kirim `force: true` dengan alasan."
    ),
    "`q` must not contain NUL characters.": "`q` tidak boleh berisi karakter NUL.",
    # --- details: requests, preconditions, idempotency, cursors ---------------------------------------
    "One or more fields are invalid; see `errors`.": "Satu atau lebih isian tidak sah; lihat `errors`.",
    "Request body is not valid JSON.": "Isi permintaan bukan JSON yang sah.",
    "Send `If-Match` with the ETag from your last read of this resource.": (
        "Kirim `If-Match` dengan ETag dari pembacaan terakhir Anda atas sumber daya ini."
    ),
    "The resource changed since you read it; read it again and retry.": (
        "Sumber daya ini telah berubah sejak Anda membacanya; baca lagi lalu coba kembali."
    ),
    "Idempotency-Key must be 1-{0} printable ASCII characters.": (
        "Idempotency-Key harus berupa 1-{0} karakter ASCII yang dapat dicetak."
    ),
    "Retry after the first request with this key has finished.": (
        "Coba lagi setelah permintaan pertama dengan kunci ini selesai."
    ),
    "Retry: a request with this key finished just now.": "Coba lagi: permintaan dengan kunci ini baru saja selesai.",
    "This Idempotency-Key was used for a different request.": "Idempotency-Key ini sudah dipakai untuk permintaan lain.",
    "The cursor is not valid; start again without one.": "Kursor tidak sah; mulai lagi tanpa kursor.",
    "The cursor is not valid: pass a `next_cursor` the feed returned, or none to start.": (
        "Kursor tidak sah: kirim `next_cursor` yang diberikan feed, atau tanpa kursor untuk mulai."
    ),
    "Database unreachable or migrations pending.": "Basis data tidak dapat dijangkau atau migrasi belum dijalankan.",
    "`{0}`: a byte sequence is written `:<base64>:`.": "`{0}`: urutan byte ditulis `:<base64>:`.",
    "`{0}`: the byte sequence is not valid base64.": "`{0}`: urutan byte bukan base64 yang sah.",
    "`{0}`: an extended value holds ASCII only; percent-encode other bytes.": (
        "`{0}`: nilai diperluas hanya memuat ASCII; tulis byte lain dengan percent-encoding."
    ),
    "`{0}`: an extended value is `charset'language'percent-encoded text`.": (
        "`{0}`: nilai diperluas ditulis `charset'language'percent-encoded text`."
    ),
    "`{0}`: the percent-encoded bytes are not valid {1} text.": "`{0}`: byte percent-encoded bukan teks {1} yang sah.",
    # --- details: reports and the calendar ------------------------------------------------------------
    "`from` and `to` must fall in the years {0}-{1}.": "`from` dan `to` harus berada pada tahun {0}-{1}.",
    "`to` must not be before `from`.": "`to` tidak boleh sebelum `from`.",
    "The window may span at most {0} days.": "Rentang waktu paling lama {0} hari.",
    "The calendar covers {0}-{1}.": "Kalender mencakup tahun {0}-{1}.",
    "{0} is not a listed non-working day (weekends cannot be declared working).": (
        "{0} bukan hari libur yang terdaftar (akhir pekan tidak dapat dijadikan hari kerja)."
    ),
    # --- details: attachments -------------------------------------------------------------------------
    "No attachment with this id.": "Tidak ada lampiran dengan id ini.",
    "An attachment must not exceed {0} bytes.": "Lampiran tidak boleh lebih dari {0} byte.",
    "The attachment has {0} bytes.": "Lampiran ini berukuran {0} byte.",
    "The attachment is empty.": "Lampiran kosong.",
    'Send the file name in `Content-Disposition: attachment; filename="..."`.': (
        'Kirim nama berkas dalam `Content-Disposition: attachment; filename="..."`.'
    ),
    "`Content-Disposition` has no `filename`.": "`Content-Disposition` tidak memuat `filename`.",
    "The file name is empty once path and control characters are removed.": (
        "Nama berkas kosong setelah jalur dan karakter kontrol dibuang."
    ),
    "`Content-Digest` must be a structured field dictionary, e.g. `sha-256=:<base64>:`.": (
        "`Content-Digest` harus berupa dictionary structured field, misalnya `sha-256=:<base64>:`."
    ),
    "`Content-Digest` sha-256 must be 32 bytes.": "sha-256 pada `Content-Digest` harus 32 byte.",
    "`Content-Digest` does not match the bytes received.": "`Content-Digest` tidak cocok dengan byte yang diterima.",
    "Send the file's media type in `Content-Type`.": "Kirim jenis media berkas dalam `Content-Type`.",
    "{0} is not an allowed attachment type; allowed: {1}.": "{0} bukan jenis lampiran yang diizinkan; yang diizinkan: {1}.",
    "Plain text attachments must be UTF-8.": "Lampiran teks biasa harus UTF-8.",
    "The file is none of the allowed types: {0}.": "Berkas ini bukan salah satu jenis yang diizinkan: {0}.",
    "The file's content is not {0}, the declared `Content-Type`.": (
        "Isi berkas bukan {0}, sesuai `Content-Type` yang dinyatakan."
    ),
    "At most {0} uploads at once per API key; wait for one to finish.": (
        "Paling banyak {0} unggahan sekaligus per kunci API; tunggu salah satunya selesai."
    ),
    "The service is receiving as many uploads as it can; try again shortly.": (
        "Layanan sedang menerima unggahan sebanyak yang dapat ditanganinya; coba lagi sebentar lagi."
    ),
    "attachment_ids name no upload of this agency waiting to be attached (upload them first through POST "
    "/v1/inbound/{{agency}}/attachments; each can be attached once): {0}.": (
        "attachment_ids tidak menunjuk unggahan instansi ini yang menunggu dilampirkan (unggah dahulu melalui POST "
        "/v1/inbound/{{agency}}/attachments; masing-masing hanya dapat dilampirkan sekali): {0}."
    ),
    # --- details: webhooks and signed inbound pushes --------------------------------------------------
    "No webhook endpoint with this id.": "Tidak ada endpoint webhook dengan id ini.",
    "No webhook delivery with this id.": "Tidak ada pengiriman webhook dengan id ini.",
    "This URL cannot receive webhooks: {0}.": "URL ini tidak dapat menerima webhook: {0}.",
    "This URL cannot receive webhooks: its host could not be resolved in time ({0} s).": (
        "URL ini tidak dapat menerima webhook: host-nya tidak dapat di-resolve tepat waktu ({0} detik)."
    ),
    "At most {0} endpoints per scope; delete one first.": "Paling banyak {0} endpoint per cakupan; hapus salah satu dahulu.",
    "The API key that created this endpoint was revoked; subscribe again with a valid key.": (
        "Kunci API yang membuat endpoint ini telah dicabut; daftar ulang dengan kunci yang sah."
    ),
    "The endpoint is disabled; enable it first (PATCH with `disabled: false`).": (
        "Endpoint ini dinonaktifkan; aktifkan dahulu (PATCH dengan `disabled: false`)."
    ),
    "missing {0} header": "Header {0} tidak ada",
    "invalid {0} header": "Header {0} tidak sah",
    "{0} header too long": "Header {0} terlalu panjang",
    "invalid webhook-timestamp header": "Header webhook-timestamp tidak sah",
    "invalid webhook-id header": "Header webhook-id tidak sah",
    "timestamp outside tolerance (too old)": "Stempel waktu di luar toleransi (terlalu lama)",
    "timestamp outside tolerance (in the future)": "Stempel waktu di luar toleransi (di masa depan)",
    "no valid v1 signature in webhook-signature header": "Tidak ada tanda tangan v1 yang sah di header webhook-signature",
    "no matching signature": "Tidak ada tanda tangan yang cocok",
    # --- details: the request guards ------------------------------------------------------------------
    "Content-Length is not a number.": "Content-Length bukan angka.",
    "Send the body as application/json.": "Kirim isi permintaan sebagai application/json.",
    "Send the form as multipart/form-data.": "Kirim formulir sebagai multipart/form-data.",
    # --- details: the web pages' upload form ------------------------------------------------------------
    "A form field is too long.": "Sebuah isian formulir terlalu panjang.",
    "Send one file at a time.": "Kirim satu berkas setiap kali.",
    "Too many form fields.": "Terlalu banyak isian formulir.",
    "The form could not be read as multipart/form-data.": "Formulir tidak dapat dibaca sebagai multipart/form-data.",
    "The body must not exceed {0} bytes.": "Isi permintaan tidak boleh lebih dari {0} byte.",
    "The body must arrive within {0} s and then at {1} bytes a second or more, within {2} s in all.": (
        "Isi permintaan harus mulai tiba dalam {0} detik, lalu paling sedikit {1} byte per detik, dan selesai "
        "dalam {2} detik."
    ),
}


def _parts(template: str) -> list[tuple[str, str | None]]:
    return [(literal, field) for literal, field, _, _ in string.Formatter().parse(template)]


@cache
def _patterns() -> list[tuple[re.Pattern[str], str]]:
    """The templates with values, as patterns matching a whole text: most literal text first, so the
    most specific template wins."""
    found = []
    for english, indonesian in INDONESIAN.items():
        parts = _parts(english)
        if all(field is None for _, field in parts):
            continue
        regex = "".join(re.escape(literal) + ("(.*?)" if field is not None else "") for literal, field in parts)
        literal_length = sum(len(literal) for literal, _ in parts)
        found.append((literal_length, re.compile(regex, re.DOTALL), indonesian))
    found.sort(key=lambda item: -item[0])
    return [(pattern, indonesian) for _, pattern, indonesian in found]


@cache
def _exact() -> dict[str, str]:
    """The texts without values, as they are written out (`{{agency}}` read as `{agency}`)."""
    return {
        english.replace("{{", "{").replace("}}", "}"): indonesian.replace("{{", "{").replace("}}", "}")
        for english, indonesian in INDONESIAN.items()
        if all(field is None for _, field in _parts(english))
    }


def to_indonesian(text: str) -> str | None:
    """The Indonesian text of an English problem text, or None when there is none."""
    exact = _exact().get(text)
    if exact is not None:
        return exact
    for pattern, indonesian in _patterns():
        match = pattern.fullmatch(text)
        if match is not None:
            return indonesian.format(*match.groups())
    # A signature failure's reason is also given with a full stop of its own.
    if text.endswith(".") and not text.endswith(".."):
        bare = to_indonesian(text[:-1])
        if bare is not None:
            return bare + "."
    return None


def localized_text(text: str, lang: str) -> str:
    """`text` in `lang`; the English text itself when it has no translation."""
    if lang != "id":
        return text
    return to_indonesian(text) or text


def localize(body: dict[str, Any], lang: str) -> dict[str, Any]:
    """A problem body with its `title` and `detail` in `lang`."""
    if lang != "id":
        return body
    translated = dict(body)
    for member in ("title", "detail"):
        value = body.get(member)
        if isinstance(value, str):
            translated[member] = localized_text(value, lang)
    return translated


_WEIGHTED = re.compile(r"^\s*([A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*|\*)\s*(?:;\s*q\s*=\s*([0-9](?:\.[0-9]{0,3})?))?\s*$")


def from_accept_language(header: str | None, default: str) -> str:
    """The language of `LANGUAGES` the `Accept-Language` header weighs highest (`id-ID` and the old
    code `in` count as `id`); `default` when it names neither or is malformed. A wildcard names none."""
    if not header:
        return default
    best, best_q = default, 0.0
    for member in header.split(","):
        match = _WEIGHTED.match(member)
        if match is None:
            continue
        tag = match.group(1).lower().split("-", 1)[0]
        tag = "id" if tag == "in" else tag
        try:
            q = float(match.group(2)) if match.group(2) is not None else 1.0
        except ValueError:
            continue
        if tag in LANGUAGES and q > best_q:
            best, best_q = tag, q
    return best


def pick_language(accept_language: str | None, path: str, pages_cookie: str | None) -> str:
    """The language of a problem answered to this request (see the module docstring)."""
    if path.startswith(PAGES_PREFIX) or path == PAGES_PREFIX.rstrip("/"):
        return pages_cookie if pages_cookie in LANGUAGES else PAGES_DEFAULT
    return from_accept_language(accept_language, API_DEFAULT)
