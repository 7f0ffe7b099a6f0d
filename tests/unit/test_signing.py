import base64
import time
from datetime import UTC, datetime

import pytest
from standardwebhooks import Webhook
from starlette.datastructures import Headers

from referral_service.signing import (
    InvalidSecret,
    SignatureError,
    VerifiedMessage,
    build_headers,
    generate_secret,
    parse_secret,
    sign,
    signature_header,
    verify,
)

NOW = 1_700_000_000
SECRET = "whsec_" + base64.b64encode(bytes(range(32))).decode()
OTHER = "whsec_" + base64.b64encode(bytes(range(100, 132))).decode()
BODY = b'{"type":"referral.forwarded","data":{"id":"r_1"}}'
MSG_ID = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"


def _headers(secrets=(SECRET,), body=BODY, now=NOW, msg_id=MSG_ID):
    return build_headers(list(secrets), msg_id, body, now=now)


def _reason(exc_info) -> str:
    return exc_info.value.reason


# ---------------------------------------------------------------- secrets


def test_generate_secret_is_parseable_and_random():
    a, b = generate_secret(), generate_secret()
    assert a.startswith("whsec_") and a != b
    assert len(parse_secret(a)) == 32


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "whsec_",
        base64.b64encode(bytes(32)).decode(),  # no prefix
        "WHSEC_" + base64.b64encode(bytes(32)).decode(),
        "whsec_" + base64.b64encode(bytes(23)).decode(),  # too short
        "whsec_" + base64.b64encode(b"short").decode(),
        "whsec_not base64 at all!!",
        "whsec_" + base64.b64encode(bytes(32)).decode()[:-1],  # broken padding
        "whsec_" + "é" * 40,
    ],
)
def test_parse_secret_rejects_weak_or_malformed(bad):
    with pytest.raises(InvalidSecret):
        parse_secret(bad)


def test_parse_secret_accepts_24_bytes():
    assert len(parse_secret("whsec_" + base64.b64encode(bytes(24)).decode())) == 24


# ---------------------------------------------------------------- round trip


def test_round_trip():
    headers = _headers()
    assert set(headers) == {"webhook-id", "webhook-timestamp", "webhook-signature"}
    assert headers["webhook-timestamp"] == str(NOW)
    assert headers["webhook-signature"].startswith("v1,")
    assert verify([SECRET], headers, BODY, now=NOW) == VerifiedMessage(MSG_ID, NOW)


def test_sign_is_deterministic_and_matches_header():
    sig = sign(SECRET, MSG_ID, NOW, BODY)
    assert sig == signature_header([SECRET], MSG_ID, NOW, BODY)
    assert len(base64.b64decode(sig[3:])) == 32


def test_non_utf8_body_round_trips():
    body = b"\xff\xfe\x00\x80 not utf-8"
    assert verify([SECRET], _headers(body=body), body, now=NOW).msg_id == MSG_ID


def test_header_lookup_is_case_insensitive():
    headers = {k.upper(): v for k, v in _headers().items()}
    assert verify([SECRET], headers, BODY, now=NOW).timestamp == NOW


def test_accepts_starlette_headers_including_raw_latin1():
    raw = [(k.encode(), v.encode()) for k, v in _headers().items()]
    assert verify([SECRET], Headers(raw=raw), BODY, now=NOW).msg_id == MSG_ID
    raw_bad = [(k, b"v1,\xff\xfe" if k == b"webhook-signature" else v) for k, v in raw]
    with pytest.raises(SignatureError):
        verify([SECRET], Headers(raw=raw_bad), BODY, now=NOW)


def test_within_tolerance_edges():
    verify([SECRET], _headers(now=NOW - 300), BODY, now=NOW)
    verify([SECRET], _headers(now=NOW + 300), BODY, now=NOW)
    verify([SECRET], _headers(now=NOW - 30), BODY, now=NOW, tolerance_seconds=60)


# ---------------------------------------------------------------- interop


def test_standardwebhooks_accepts_our_headers():
    # The package always uses the real clock, so sign with the real clock here.
    now = int(time.time())
    headers = build_headers([SECRET], MSG_ID, BODY, now=now)
    assert Webhook(SECRET).verify(BODY, headers) == {
        "type": "referral.forwarded",
        "data": {"id": "r_1"},
    }


def test_standardwebhooks_accepts_our_rotation_header():
    headers = build_headers([OTHER, SECRET], MSG_ID, BODY, now=int(time.time()))
    Webhook(SECRET).verify(BODY, headers)
    Webhook(OTHER).verify(BODY, headers)


def test_we_accept_standardwebhooks_signatures():
    ts = datetime.fromtimestamp(NOW, tz=UTC)
    sig = Webhook(SECRET).sign(MSG_ID, ts, BODY.decode())
    assert sig == sign(SECRET, MSG_ID, NOW, BODY)
    headers = {"webhook-id": MSG_ID, "webhook-timestamp": str(NOW), "webhook-signature": sig}
    assert verify([SECRET], headers, BODY, now=NOW) == VerifiedMessage(MSG_ID, NOW)


# ---------------------------------------------------------------- rotation


def test_rotation_either_secret_verifies():
    headers = _headers(secrets=(OTHER, SECRET))
    assert len(headers["webhook-signature"].split(" ")) == 2
    verify([SECRET], headers, BODY, now=NOW)
    verify([OTHER], headers, BODY, now=NOW)
    # Receiver side rotation: old and new secret configured, sender uses one.
    verify([OTHER, SECRET], _headers(secrets=(SECRET,)), BODY, now=NOW)


# ---------------------------------------------------------------- failures


def test_tampered_body():
    with pytest.raises(SignatureError) as exc:
        verify([SECRET], _headers(), BODY + b" ", now=NOW)
    assert _reason(exc) == "no matching signature"


def test_tampered_id_or_timestamp():
    headers = _headers()
    with pytest.raises(SignatureError):
        verify([SECRET], {**headers, "webhook-id": "msg_other"}, BODY, now=NOW)
    with pytest.raises(SignatureError):
        verify([SECRET], {**headers, "webhook-timestamp": str(NOW + 1)}, BODY, now=NOW)


def test_wrong_secret():
    with pytest.raises(SignatureError) as exc:
        verify([OTHER], _headers(), BODY, now=NOW)
    assert _reason(exc) == "no matching signature"


def test_stale_timestamp():
    with pytest.raises(SignatureError) as exc:
        verify([SECRET], _headers(now=NOW - 301), BODY, now=NOW)
    assert "tolerance" in _reason(exc)


def test_future_timestamp():
    with pytest.raises(SignatureError) as exc:
        verify([SECRET], _headers(now=NOW + 301), BODY, now=NOW)
    assert "tolerance" in _reason(exc)


def test_custom_tolerance():
    with pytest.raises(SignatureError):
        verify([SECRET], _headers(now=NOW - 61), BODY, now=NOW, tolerance_seconds=60)


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_missing_each_header(missing):
    headers = _headers()
    del headers[missing]
    with pytest.raises(SignatureError) as exc:
        verify([SECRET], headers, BODY, now=NOW)
    assert _reason(exc) == f"missing {missing} header"


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_empty_header_counts_as_missing(missing):
    headers = {**_headers(), missing: ""}
    with pytest.raises(SignatureError):
        verify([SECRET], headers, BODY, now=NOW)


@pytest.mark.parametrize(
    "timestamp",
    ["abc", "1.7e9", "-1", "+1700000000", "1_700_000_000", " ", "١٧٠٠٠٠٠٠٠٠", "9" * 5000, "17000000000000"],
)
def test_bad_timestamp(timestamp):
    with pytest.raises(SignatureError):
        verify([SECRET], {**_headers(), "webhook-timestamp": timestamp}, BODY, now=NOW)


@pytest.mark.parametrize(
    "signature",
    [
        "garbage",
        "v1,",
        "v1,!!!not-base64!!!",
        "v1,abc",  # valid chars, wrong padding
        "v1," + base64.b64encode(b"too short").decode(),
        "v2," + sign(SECRET, MSG_ID, NOW, BODY)[3:],  # right bytes, unknown version
        "v1a," + sign(SECRET, MSG_ID, NOW, BODY)[3:],
        ",,,, v1 ,",
        "v1,ÿÿÿÿ",
        "v1,\udcff",  # lone surrogate: what surrogateescape makes of non-UTF-8
        "v1," + "A" * 5000,  # longer than the header cap
        " " * 10,
    ],
)
def test_malformed_signature_header(signature):
    with pytest.raises(SignatureError):
        verify([SECRET], {**_headers(), "webhook-signature": signature}, BODY, now=NOW)


def test_malformed_entries_are_skipped_when_a_valid_one_exists():
    good = sign(SECRET, MSG_ID, NOW, BODY)
    header = f"garbage v1,!!! v1a,xyz {good}"
    assert verify([SECRET], {**_headers(), "webhook-signature": header}, BODY, now=NOW)


@pytest.mark.parametrize(
    "headers",
    [
        {"webhook-id": b"\xff\xfe", "webhook-timestamp": str(NOW), "webhook-signature": "v1,AAAA"},
        {"webhook-id": MSG_ID, "webhook-timestamp": b"\xff", "webhook-signature": "v1,AAAA"},
        {"webhook-id": MSG_ID, "webhook-timestamp": str(NOW), "webhook-signature": b"v1,\xff\x00"},
        {"webhook-id": "msg_é", "webhook-timestamp": str(NOW), "webhook-signature": "v1,AAAA"},
        {"webhook-id": "msg\x00id", "webhook-timestamp": str(NOW), "webhook-signature": "v1,AAAA"},
        {"webhook-id": "x" * 257, "webhook-timestamp": str(NOW), "webhook-signature": "v1,AAAA"},
        {"webhook-id": 123, "webhook-timestamp": NOW, "webhook-signature": None},
        {b"webhook-id": MSG_ID, 5: "x"},
        {},
    ],
)
def test_hostile_headers_only_raise_signature_error(headers):
    with pytest.raises(SignatureError):
        verify([SECRET], headers, b"\xff\x00\xfe", now=NOW)


def test_misconfigured_secrets_are_not_signature_errors():
    with pytest.raises(InvalidSecret):
        verify(["whsec_short"], _headers(), BODY, now=NOW)
    with pytest.raises(InvalidSecret):
        verify([], _headers(), BODY, now=NOW)
    with pytest.raises(TypeError):
        verify(SECRET, _headers(), BODY, now=NOW)


def test_outbound_refuses_ids_and_timestamps_we_could_not_verify():
    with pytest.raises(ValueError):
        sign(SECRET, "has space", NOW, BODY)
    with pytest.raises(ValueError):
        sign(SECRET, "a.b", NOW, BODY)
    with pytest.raises(ValueError):
        sign(SECRET, MSG_ID, True, BODY)
    with pytest.raises(ValueError):
        sign(SECRET, MSG_ID, -5, BODY)


# ---------------------------------------------------------------- the delivery worker's signer


def test_signer_gives_the_same_header_as_signature_header_and_verifies_with_the_package():
    from referral_service.signing import Signer

    now = int(time.time())  # the package always uses the real clock
    for secrets in ([SECRET], [SECRET, OTHER]):
        header = Signer(secrets).signature(MSG_ID, now, BODY)
        assert header == signature_header(secrets, MSG_ID, now, BODY)
        for secret in secrets:
            Webhook(secret).verify(
                BODY, {"webhook-id": MSG_ID, "webhook-timestamp": str(now), "webhook-signature": header}
            )


def test_signer_refuses_what_signature_header_refuses():
    from referral_service.signing import Signer

    with pytest.raises(InvalidSecret):
        Signer([])
    with pytest.raises(InvalidSecret):
        Signer(["whsec_short"])
    with pytest.raises(TypeError):
        Signer(SECRET)
    with pytest.raises(ValueError):
        Signer([SECRET]).signature("msg.with.dots", NOW, BODY)
    with pytest.raises(ValueError):
        Signer([SECRET]).signature(MSG_ID, -1, BODY)
