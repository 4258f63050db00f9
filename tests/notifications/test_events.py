"""The event registry: texts filled from the context, WeChat values cut to what WeChat
accepts, keyword mappings checked."""

import pytest
from django.core.exceptions import ValidationError

from portal.notifications import events
from portal.notifications.events import Event, fit, validate_template_fields


def test_events_of_every_app_are_registered_when_apps_are_ready():
    keys = {event.key for event in events.all_events()}
    assert {"notifications.test", "estates.occupancy.verified",
            "estates.occupancy.rejected"} <= keys


def test_texts_are_filled_from_the_context_and_the_standard_values():
    event = events.get("estates.occupancy.rejected")
    values = event.values({"house": "1栋101", "reason": "房号不符"}, community="阳光花园")

    assert "1栋101" in values["title"]
    assert "房号不符" in values["body"]
    assert values["community"] == "阳光花园"
    assert event.template_data(values) == {
        "thing1": {"value": "1栋101"}, "thing2": {"value": "房号不符"},
        "time3": {"value": values["when"]}}


TWENTY = "一二三四五六七八九十" * 2


@pytest.mark.parametrize(("keyword", "value", "expected"), [
    ("thing1", TWENTY, TWENTY),
    ("thing1", TWENTY + "多", TWENTY[:19] + "…"),
    ("phrase2", "处理中处理中", "处理中处…"),
    ("character_string3", "A" * 40, "A" * 31 + "…"),
    ("time4", "2024-05-01 09:00", "2024-05-01 09:00"),
    ("first", "不是关键词也照样保留", "不是关键词也照样保留"),
])
def test_values_are_cut_to_the_length_wechat_accepts_for_their_type(keyword, value, expected):
    assert fit(keyword, value) == expected


def test_a_mapping_may_only_use_the_events_placeholders():
    event = events.get("estates.occupancy.verified")
    validate_template_fields(event, {"thing1": "{house}", "time2": "{when}"})
    with pytest.raises(ValidationError, match="reason"):
        validate_template_fields(event, {"thing1": "{reason}"})


def test_an_event_using_a_placeholder_it_does_not_declare_is_refused():
    with pytest.raises(ValueError, match="house"):
        Event(key="x.y", label="x", title="{house}")


def test_an_event_key_cannot_be_registered_for_two_events():
    with pytest.raises(ValueError, match="twice"):
        events.register(Event(key="notifications.test", label="other", title="other"))


def test_an_unknown_event_is_a_clear_error():
    with pytest.raises(events.UnknownEvent, match="no.such"):
        events.get("no.such")
