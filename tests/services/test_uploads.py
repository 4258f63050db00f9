"""Ticket uploads: checked by content, cleaned of their location, counted, and fetched
from WeChat when chosen there."""

import io
import struct
import zlib

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation
from django.utils.datastructures import MultiValueDict
from PIL import ExifTags, Image
from wagtail.documents.models import Document

from services.media.checks import check_photo, check_video
from services.media.fields import PhotosField, VideoField
from services.media.images import clean_photo, make_thumbnail, process_photo
from services.media.storage import RandomFileName, store_processed_photo
from services.media.wechat import fetch_wechat_media
from tests.wechat import conftest as wechat_conftest
from tests.wechat.conftest import APPID, SECRET
from tests.wechat.factories import OfficialAccountFactory

# The WeChat stub and its fixture, shared with the WeChat tests.
_wechat_stub_server = wechat_conftest._wechat_stub_server
wechat_stub = wechat_conftest.wechat_stub

MEDIA_ID = "k3v9QmT0Zr8yB2nX-sample_media_id_from_wx_uploadImage_0123456789"
RED, BLUE = (220, 20, 20), (20, 20, 220)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def picture(fmt="JPEG", size=(64, 48), color=RED, name=None, **save_options):
    buffer = io.BytesIO()
    Image.new("RGBA" if fmt == "PNG" else "RGB", size, color).save(buffer, fmt, **save_options)
    return SimpleUploadedFile(name or f"photo.{fmt.lower()}", buffer.getvalue())


def png_header_only(width, height):
    """A PNG that claims ``width`` x ``height`` pixels in a few bytes: a decompression bomb
    as far as anyone reading its header can tell."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


def mp4_head(major=b"isom", compatible=(b"isom", b"iso2", b"avc1", b"mp41")):
    ftyp = b"ftyp" + major + b"\x00\x00\x02\x00" + b"".join(compatible)
    return struct.pack(">I", len(ftyp) + 4) + ftyp + b"\x00\x00\x00\x08free"


def messages(error):
    return " ".join(error.value.messages)


# -- photos by content ---------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF"])
def test_pictures_pass_and_their_format_is_read_from_content(fmt):
    assert check_photo(picture(fmt, name="whatever.txt")) == fmt


def test_phone_jpeg_with_several_pictures_is_a_photo_and_cleaned_to_one():
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), RED).save(buffer, "MPO", save_all=True,
                                          append_images=[Image.new("RGB", (16, 16), BLUE)])
    portrait = SimpleUploadedFile("portrait.jpg", buffer.getvalue())
    assert check_photo(portrait) == "MPO"
    cleaned = open_image(clean_photo(portrait))
    assert (cleaned.format, cleaned.size, getattr(cleaned, "n_frames", 1)) == ("JPEG", (32, 32), 1)


def test_text_file_renamed_to_jpg_is_not_a_picture():
    renamed = SimpleUploadedFile("photo.jpg", b"Dear property office, ...\n" * 40,
                                 content_type="image/jpeg")
    with pytest.raises(ValidationError) as error:
        check_photo(renamed)
    assert error.value.code == "not_a_picture"
    assert "This file is not a picture." in messages(error)


def test_truncated_picture_is_not_a_picture():
    damaged = picture("PNG", size=(200, 200))
    damaged = SimpleUploadedFile("photo.png", damaged.read()[:300])
    with pytest.raises(ValidationError, match="not a picture"):
        check_photo(damaged)


def test_pictures_in_other_formats_are_refused():
    with pytest.raises(ValidationError, match="not a picture"):
        check_photo(picture("BMP", name="photo.jpg"))


def test_oversized_photo_is_refused_with_the_limit(settings):
    settings.TICKET_PHOTO_MAX_BYTES = 1000
    photo = picture("PNG", size=(300, 300), color=(1, 2, 3, 4), compress_level=0)
    with pytest.raises(ValidationError) as error:
        check_photo(photo)
    assert error.value.code == "too_large"
    assert "the limit is 1000\xa0bytes" in messages(error)


def test_decompression_bomb_is_refused_before_decoding():
    bomb = SimpleUploadedFile("bomb.png", png_header_only(8000, 8000))
    assert bomb.size < 200
    with pytest.raises(ValidationError) as error:
        check_photo(bomb)
    assert error.value.code == "too_many_pixels"
    assert "at most 50 million pixels" in messages(error)


def test_bomb_past_pillows_own_limit_is_refused_the_same_way():
    with pytest.raises(ValidationError) as error:
        check_photo(SimpleUploadedFile("bomb.png", png_header_only(60000, 60000)))
    assert error.value.code == "too_many_pixels"


def test_pixel_limit_is_a_setting(settings):
    settings.TICKET_PHOTO_MAX_PIXELS = 1000
    with pytest.raises(ValidationError, match="too large to open"):
        check_photo(picture(size=(50, 50)))


# -- videos by content ---------------------------------------------------------------------

def test_mp4_and_quicktime_pass_whatever_their_names():
    assert check_video(SimpleUploadedFile("clip.txt", mp4_head() + b"\x00" * 100)) == "mp4"
    quicktime = mp4_head(major=b"qt  ", compatible=(b"qt  ",))
    assert check_video(SimpleUploadedFile("IMG_0001.MOV", quicktime)) == "mov"


def test_png_named_mp4_is_not_a_video():
    png = picture("PNG", name="clip.mp4")
    png.content_type = "video/mp4"
    with pytest.raises(ValidationError) as error:
        check_video(png)
    assert error.value.code == "not_a_video"
    assert "This file is not a video." in messages(error)


def test_unknown_ftyp_brand_is_not_a_video():
    heic = mp4_head(major=b"heic", compatible=(b"mif1", b"heic"))
    with pytest.raises(ValidationError, match="not a video"):
        check_video(SimpleUploadedFile("photo.mp4", heic))


def test_oversized_video_is_refused(settings):
    settings.TICKET_VIDEO_MAX_BYTES = 100
    with pytest.raises(ValidationError) as error:
        check_video(SimpleUploadedFile("clip.mp4", mp4_head() + b"\x00" * 200))
    assert error.value.code == "too_large"


# -- cleaning ------------------------------------------------------------------------------

def phone_photo(orientation=1):
    """A JPEG as a phone writes it: camera make, GPS position and orientation in EXIF. The
    stored pixels are 40 x 20, red on the left and blue on the right."""
    image = Image.new("RGB", (40, 20), RED)
    image.paste(BLUE, (20, 0, 40, 20))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (31.0, 14.0, 2.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (121.0, 28.0, 9.0)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, quality=95)
    return SimpleUploadedFile("IMG_0001.jpg", buffer.getvalue())


def open_image(content_file):
    content_file.seek(0)
    return Image.open(io.BytesIO(content_file.read()))


def test_cleaning_removes_the_gps_location_and_all_exif():
    original = phone_photo()
    assert open_image(original).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    cleaned = clean_photo(original)
    image = open_image(cleaned)
    assert image.format == "JPEG"
    assert not image.getexif()
    assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    cleaned.seek(0)
    assert b"Exif" not in cleaned.read()


def test_cleaning_turns_the_photo_upright_as_its_orientation_says():
    # Orientation 6: shown turned 90 degrees clockwise, so the left (red) comes on top.
    image = open_image(clean_photo(phone_photo(orientation=6))).convert("RGB")
    assert image.size == (20, 40)
    top, bottom = image.getpixel((10, 5)), image.getpixel((10, 35))
    assert top[0] > 150 > top[2]
    assert bottom[2] > 150 > bottom[0]


def test_cleaning_keeps_transparency_as_png_and_names_files_at_random():
    first = clean_photo(picture("PNG", color=(0, 0, 0, 0), name="my-home-address.png"))
    second = clean_photo(picture("PNG", color=(0, 0, 0, 0)))
    assert open_image(first).mode == "RGBA"
    assert first.name.endswith(".png")
    assert "address" not in first.name and first.name != second.name


def test_cleaning_scales_huge_photos_down(settings):
    settings.TICKET_PHOTO_MAX_SIDE = 100
    assert open_image(clean_photo(picture(size=(400, 300)))).size == (100, 75)


def test_thumbnail_is_the_size_asked_for_and_upright():
    assert open_image(make_thumbnail(picture(size=(800, 400)))).size == (240, 240)
    assert open_image(make_thumbnail(phone_photo(6), size=(60, 90))).size == (60, 90)


def test_processing_makes_both_from_one_photo():
    result = process_photo(phone_photo(6))
    assert open_image(result.image).size == (20, 40)
    assert open_image(result.thumbnail).size == (240, 240)
    assert not open_image(result.thumbnail).getexif()


# -- storing -------------------------------------------------------------------------------

def test_cleaned_copy_replaces_the_original_once_committed(db, django_capture_on_commit_callbacks):
    # Any model's FileFields do; Wagtail's documents have one at hand.
    original = default_storage.save("tests/IMG_0001.jpg", phone_photo(orientation=6))
    attachment, thumbnail_holder = Document(file=original), Document()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        store_processed_photo(attachment.file, thumbnail_holder.file)
    assert attachment.file.name != original and attachment.file.name.endswith(".jpg")
    assert "IMG_0001" not in attachment.file.name
    with attachment.file.open("rb") as stored:
        image = Image.open(stored)
        assert image.size == (20, 40) and not image.getexif()
    with thumbnail_holder.file.open("rb") as stored:
        assert Image.open(stored).size == (240, 240)
    assert default_storage.exists(original)
    callbacks[0]()
    assert not default_storage.exists(original)
    default_storage.delete(attachment.file.name)
    default_storage.delete(thumbnail_holder.file.name)


def test_random_file_names_say_nothing_and_keep_the_extension():
    upload_to = RandomFileName("tickets/%Y/%m")
    first, second = upload_to(None, "张三 3栋101 漏水.JPG"), upload_to(None, "a.JPG")
    assert first.startswith("tickets/20") and first.endswith(".jpg")
    assert "张三" not in first and first.rsplit("/", 1)[1] != second.rsplit("/", 1)[1]
    assert upload_to.deconstruct() == (
        "services.media.storage.RandomFileName", ("tickets/%Y/%m",), {})


# -- form fields ---------------------------------------------------------------------------

class TicketForm(forms.Form):
    description = forms.CharField()
    photos = PhotosField()
    video = VideoField()


def bound_form(photos=(), media_ids=(), video=None, description="Leaking pipe"):
    files = MultiValueDict({"photos": list(photos)})
    if video is not None:
        files["video"] = video
    data = MultiValueDict({"description": [description], "photos_wechat": list(media_ids)})
    return TicketForm(data, files)


def test_nine_photos_are_accepted():
    form = bound_form([picture() for _ in range(9)])
    assert form.is_valid(), form.errors
    assert len(form.cleaned_data["photos"].files) == 9


def test_a_tenth_photo_is_refused():
    form = bound_form([picture() for _ in range(10)])
    assert not form.is_valid()
    assert form.errors["photos"] == ["You can add at most 9 photos."]


def test_photos_from_wechat_count_toward_the_limit_once_each():
    form = bound_form([picture() for _ in range(3)],
                      [f"media-{n}" for n in range(6)] + ["media-0"])
    assert form.is_valid(), form.errors
    assert form.cleaned_data["photos"].wechat_media_ids == [f"media-{n}" for n in range(6)]
    form = bound_form([picture() for _ in range(3)], [f"media-{n}" for n in range(7)])
    assert form.errors["photos"] == ["You can add at most 9 photos."]


def test_each_bad_photo_is_named_in_the_error():
    renamed = SimpleUploadedFile("notes.jpg", b"not a picture at all")
    form = bound_form([picture(), renamed])
    assert not form.is_valid()
    assert form.errors["photos"] == [
        "notes.jpg: This file is not a picture. Please choose a JPEG, PNG, WebP or GIF photo."]


def test_media_ids_wechat_never_made_are_refused():
    form = bound_form(media_ids=["../../etc/passwd"])
    assert not form.is_valid()
    assert "could not be used" in form.errors["photos"][0]


def test_photos_are_optional_and_the_video_is_checked():
    assert bound_form().is_valid()
    form = bound_form(video=picture("PNG", name="clip.mp4"))
    assert form.errors["video"] == ["This file is not a video. Please choose an MP4 or MOV video."]


def test_form_sent_back_keeps_the_wechat_photos_and_the_description():
    form = bound_form(media_ids=["media-1", "media-2"], description="")
    assert not form.is_valid()
    html = render_to_string("services/includes/photo_input.html", {"field": form["photos"]},
                            request=RequestFactory().get("/"))
    assert html.count('<input type="checkbox" name="photos_wechat"') == 2
    assert 'value="media-2"' in html
    assert 'type="file"' in html and "multiple" in html and 'accept="image/*"' in html
    assert form["description"].value() == ""
    assert form.is_multipart()


# -- WeChat JS-SDK photos ------------------------------------------------------------------

@pytest.fixture
def account(db, wechat_stub):
    return OfficialAccountFactory(appid=APPID, secret=SECRET)


def test_photo_chosen_in_wechat_is_fetched_and_checked(account, wechat_stub):
    wechat_stub.add_media(APPID, MEDIA_ID)
    photo = fetch_wechat_media(account, MEDIA_ID)
    assert photo.name.startswith("wechat-") and photo.name.endswith(".jpg")
    assert MEDIA_ID not in photo.name
    assert check_photo(photo) == "JPEG"
    assert [call.params["media_id"] for call in wechat_stub.calls_to("cgi-bin/media/get")] == [
        MEDIA_ID]


def test_unknown_or_expired_media_id_asks_for_the_photo_again(account, wechat_stub):
    with pytest.raises(ValidationError) as error:
        fetch_wechat_media(account, "no-such-media")
    assert error.value.code == "wechat_media_gone"
    assert "Please choose it again." in messages(error)


def test_media_that_is_not_a_picture_is_refused(account, wechat_stub):
    wechat_stub.add_media(APPID, MEDIA_ID, b"#!AMR\n" + b"\x00" * 64, "audio/amr")
    with pytest.raises(ValidationError, match="not a picture"):
        fetch_wechat_media(account, MEDIA_ID)
