"""What the owner-side tests share: the service pages of a community, phone photos and a
filled-in repair form."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import ExifTags, Image

from home.pages import ensure_home_page
from services.pages import ComplaintPage, PhoneRepairPage, RepairPage, ensure_service_pages
from tests.services.factories import category


@pytest.fixture
def english(client):
    """Requests and messages in English, whatever the default language."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploads in a folder of the test's own, so that what is left behind is visible
    (tickets' files are kept under PRIVATE_ROOT, the rest under MEDIA_ROOT)."""
    settings.MEDIA_ROOT = tmp_path
    settings.PRIVATE_ROOT = tmp_path


def service_pages(community):
    """(repair page, phone repair page, complaint page) under the community's home page."""
    home = ensure_home_page(community)
    ensure_service_pages(home)
    return (RepairPage.objects.child_of(home).get(), PhoneRepairPage.objects.child_of(home).get(),
            ComplaintPage.objects.child_of(home).get())


def phone_photo(name="IMG_0001.jpg", size=(64, 48)):
    """A JPEG as a phone writes it: with the GPS position in its EXIF."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (31.0, 14.0, 2.5)
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "JPEG", exif=exif)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def repair_data(user, house=None, **fields):
    """The repair form as a browser posts it: the resident's house, water, normal."""
    company = user.resident.community.company
    data = {"category": category(company).pk, "urgency": "normal",
            "location": f"house-{house.pk}" if house else "public",
            "public_area": "" if house else "3栋电梯", "description": "厨房水龙头漏水",
            "idempotency_key": "form-key-1"}
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}
