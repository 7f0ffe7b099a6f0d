import logging

import httpx

from referral_service.webhooks.log_redaction import RedactUrls, redacted_url


def test_redacted_url_keeps_scheme_host_port_and_path_only():
    assert redacted_url("https://user:pass@hooks.example/a/b?token=x#frag") == "https://hooks.example/a/b"
    assert redacted_url(httpx.URL("http://u:p@[::1]:8080/h?token=x")) == "http://[::1]:8080/h"
    assert redacted_url("https://hooks.example/p%3Ftoken=1?token=2") == "https://hooks.example/p%3Ftoken=1"
    assert redacted_url("https://hooks.example") == "https://hooks.example/"


def test_filter_replaces_url_arguments_of_a_record():
    record = logging.LogRecord(
        "httpx",
        logging.INFO,
        __file__,
        1,
        'HTTP Request: %s %s "%s %d %s"',
        ("POST", httpx.URL("https://u:secret@hooks.example/h?token=secret"), "HTTP/1.1", 200, "OK"),
        None,
    )
    assert RedactUrls().filter(record) is True
    assert record.getMessage() == 'HTTP Request: POST https://hooks.example/h "HTTP/1.1 200 OK"'
