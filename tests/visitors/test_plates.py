"""Plates are written one way (upper case, no spaces, dots or dashes); anything that is
not a Chinese plate is refused with a clear message."""

import pytest

from services.visitors.plates import InvalidPlate, normalise_plate


@pytest.mark.parametrize(("typed", "plate"), [
    ("粤B12345", "粤B12345"),
    (" 粤b 123 45 ", "粤B12345"),
    ("粤B·12345", "粤B12345"),
    ("京A-B1234", "京AB1234"),
    ("沪a.d12345", "沪AD12345"),  # new energy, small car
    ("苏E12345F", "苏E12345F"),  # new energy, large vehicle
    ("川A1234警", "川A1234警"),
    ("浙B1234学", "浙B1234学"),
    ("鲁C1234挂", "鲁C1234挂"),
])
def test_plates_are_written_one_way(typed, plate):
    assert normalise_plate(typed) == plate


@pytest.mark.parametrize("typed", [
    "", "hello", "12345", "粤12345", "粤B1234", "粤B1234567", "XB12345", "粤I12345",
    "粤BO2345", "粤B12345警1", "粤BA12345",
])
def test_what_is_not_a_plate_is_refused_clearly(typed):
    with pytest.raises(InvalidPlate) as refused:
        normalise_plate(typed)
    assert isinstance(refused.value, ValueError)
    assert "粤B12345" in refused.value.messages[0]
