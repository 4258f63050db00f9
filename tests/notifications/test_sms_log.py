"""Without an SMS provider, text messages go to the log (the console backend). In
production that log must not hold what they say: a worker's mobile number, a house, an
amount owed. Only with DEBUG on (development, the demo) is the text written."""

import logging

import pytest

from portal.notifications.sms import ConsoleSMSBackend

RESIDENT_PHONE = "13912345678"
TEXT = "维修师傅已派单\n张师傅 (13800001111) 将到 3栋-2单元-1201"


@pytest.fixture
def log(caplog):
    caplog.set_level(logging.INFO, logger="portal.notifications.sms")
    return caplog


def test_in_production_the_log_holds_neither_the_text_nor_the_number(log, settings):
    settings.DEBUG = False

    ConsoleSMSBackend().send(RESIDENT_PHONE, TEXT)

    assert "139****5678" in log.text
    for personal in (RESIDENT_PHONE, "13800001111", "张师傅", "3栋-2单元-1201"):
        assert personal not in log.text


def test_with_debug_on_the_demo_shows_the_text(log, settings):
    settings.DEBUG = True

    ConsoleSMSBackend().send(RESIDENT_PHONE, TEXT)

    assert "3栋-2单元-1201" in log.text
    assert RESIDENT_PHONE not in log.text
