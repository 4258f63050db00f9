"""The repair and complaint forms on their Wagtail pages: every path, bad input (a clear
message next to the field, the input kept, nothing saved) and double submits."""

from datetime import timedelta
from pathlib import PurePosixPath

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from services.models import Ticket, TicketAttachment
from tests.services.factories import category
from tests.services.owner_helpers import (  # noqa: F401
    english,
    media_root,
    phone_photo,
    repair_data,
    service_pages,
)
from tests.services.video_helpers import video_upload

pytestmark = pytest.mark.usefixtures("english", "media_root")


@pytest.fixture
def pages(community_a):
    return service_pages(community_a)


@pytest.fixture
def repair_page(pages):
    return pages[0]


@pytest.fixture
def complaint_page(pages):
    return pages[2]


@pytest.fixture
def owner(client, resident):
    client.force_login(resident)
    return client


def errors_of(response, field):
    return [str(error) for error in response.context["form"].errors.get(field, [])]


def media_files(settings):
    return sorted(p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file())


def test_the_repair_form_offers_my_houses_the_categories_and_a_new_key(owner, repair_page,
                                                                     house_a, house_a2):
    response = owner.get(repair_page.url)

    form = response.context["form"]
    assert [key for key, _label in form.fields["location"].choices] == [
        f"house-{house_a.pk}", "public"]
    assert "水" in [label for _pk, label in form.fields["category"].choices]
    assert len(form["idempotency_key"].value()) == 32
    assert 'enctype="multipart/form-data"' in response.content.decode()


def test_a_repair_with_photos_and_a_video_makes_one_ticket(
        owner, resident, repair_page, house_a, django_capture_on_commit_callbacks):
    data = repair_data(resident, house_a, urgency="urgent",
                       photos=[phone_photo("a.jpg"), phone_photo("b.jpg")],
                       video=video_upload("clip.mp4"))
    with django_capture_on_commit_callbacks(execute=True):
        response = owner.post(repair_page.url, data)

    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == ticket.owner_url
    assert (ticket.house, ticket.urgency, ticket.reporter) == (house_a, "urgent", resident)
    assert ticket.kind == Ticket.Kind.REPAIR
    photos = ticket.attachments.filter(kind=TicketAttachment.Kind.PHOTO)
    assert photos.count() == 2 and all(p.processed and p.thumbnail for p in photos)
    video = ticket.attachments.get(kind=TicketAttachment.Kind.VIDEO)
    assert video.processed and video.thumbnail and video.duration_label == "0:02"
    assert all(a.event.action == "submitted" for a in ticket.attachments.all())
    # Stored under random names, never the ones the phone gave.
    assert not {PurePosixPath(a.file.name).name for a in ticket.attachments.all()} & {
        "a.jpg", "b.jpg", "clip.mp4"}


def test_a_repair_in_a_public_area_with_a_time_window(owner, resident, repair_page):
    start = timezone.localtime() + timedelta(days=1)
    data = repair_data(resident, None, preferred_start=start.strftime("%Y-%m-%dT%H:%M"),
                       preferred_end=(start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    owner.post(repair_page.url, data)

    ticket = Ticket.objects.get()
    assert ticket.house is None and ticket.public_area == "3栋电梯"
    assert ticket.preferred_end - ticket.preferred_start == timedelta(hours=2)


def test_the_same_form_key_twice_makes_one_ticket(owner, resident, repair_page, house_a):
    first = owner.post(repair_page.url, repair_data(resident, house_a, photos=[phone_photo()]))
    again = owner.post(repair_page.url, repair_data(resident, house_a, photos=[phone_photo()]))

    ticket = Ticket.objects.get()
    assert first["Location"] == again["Location"] == ticket.owner_url
    assert ticket.attachments.count() == 1
    assert ticket.events.count() == 1


def test_a_complaint_anonymous_toward_the_staff(owner, resident, complaint_page, company,
                                                service_a, manager_a):
    data = {"category": category(company, "噪音扰民", Ticket.Kind.COMPLAINT).pk,
            "description": "楼上每晚装修到十一点", "anonymous": "on",
            "idempotency_key": "complaint-1"}
    response = owner.post(complaint_page.url, data)

    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert (ticket.kind, ticket.anonymous, ticket.house) == ("complaint", True, None)
    assert ticket.reporter_shown_to(service_a) == "Anonymous"
    assert ticket.reporter_shown_to(manager_a) == resident.resident.name


def test_a_suggestion_takes_its_kind_from_the_category(owner, complaint_page, company):
    suggestion = category(company, "服务建议", Ticket.Kind.SUGGESTION)
    owner.post(complaint_page.url, {"category": suggestion.pk, "description": "增加快递柜",
                                    "idempotency_key": "s-1"})
    assert Ticket.objects.get().kind == Ticket.Kind.SUGGESTION


def test_the_complaint_form_explains_what_anonymous_means(owner, complaint_page):
    page = owner.get(complaint_page.url).content.decode()
    assert "The community manager still can" in page


# --- bad input -----------------------------------------------------------------------------

def test_a_renamed_non_image_is_refused_and_nothing_is_saved(owner, resident, repair_page,
                                                             house_a, settings):
    renamed = SimpleUploadedFile("leak.jpg", b"not a picture at all\n" * 20,
                                 content_type="image/jpeg")
    response = owner.post(repair_page.url, repair_data(resident, house_a, photos=[renamed]))

    assert response.status_code == 200
    assert "This file is not a picture." in " ".join(errors_of(response, "photos"))
    assert response.context["form"]["description"].value() == "厨房水龙头漏水"
    assert not Ticket.objects.exists() and not TicketAttachment.objects.exists()
    assert media_files(settings) == []


def test_an_oversized_photo_is_refused(owner, resident, repair_page, house_a, settings):
    settings.TICKET_PHOTO_MAX_BYTES = 200
    response = owner.post(repair_page.url,
                          repair_data(resident, house_a, photos=[phone_photo(size=(300, 300))]))

    assert "too large" in " ".join(errors_of(response, "photos"))
    assert not Ticket.objects.exists() and media_files(settings) == []


def test_a_tenth_photo_is_refused(owner, resident, repair_page, house_a, settings):
    photos = [phone_photo(f"{n}.jpg") for n in range(10)]
    response = owner.post(repair_page.url, repair_data(resident, house_a, photos=photos))

    assert errors_of(response, "photos") == ["You can add at most 9 photos."]
    assert not Ticket.objects.exists() and media_files(settings) == []


def test_a_renamed_non_video_is_refused(owner, resident, repair_page, house_a):
    fake = SimpleUploadedFile("clip.mp4", b"hello" * 100, content_type="video/mp4")
    response = owner.post(repair_page.url, repair_data(resident, house_a, video=fake))

    assert "This file is not a video." in " ".join(errors_of(response, "video"))
    assert not Ticket.objects.exists()


def test_an_empty_description_is_refused(owner, resident, repair_page, house_a):
    response = owner.post(repair_page.url, repair_data(resident, house_a, description="   "))

    assert errors_of(response, "description") == ["Describe the problem."]
    assert response.context["form"]["location"].value() == f"house-{house_a.pk}"
    assert not Ticket.objects.exists()


def test_the_photos_must_be_chosen_again_only_when_some_were_sent(owner, resident,
                                                                 repair_page, house_a):
    warning = "Files are not kept when the form is sent back"
    without = owner.post(repair_page.url, repair_data(resident, house_a, description=" "))
    with_photo = owner.post(repair_page.url, repair_data(resident, house_a, description=" ",
                                                         photos=[phone_photo()]))

    assert warning not in without.content.decode()
    assert warning in with_photo.content.decode()


def test_a_house_that_is_not_mine_is_refused(owner, resident, repair_page, house_a2):
    response = owner.post(repair_page.url, repair_data(resident, house_a2))

    assert errors_of(response, "location") == ["This house is not one of yours."]
    assert not Ticket.objects.exists()


def test_a_public_area_needs_a_place(owner, resident, repair_page):
    response = owner.post(repair_page.url, repair_data(resident, None, public_area=""))

    assert errors_of(response, "public_area") == ["Say where in the community."]
    assert not Ticket.objects.exists()


def test_a_time_window_in_the_past_is_refused(owner, resident, repair_page, house_a,
                                              settings):
    start = timezone.localtime() - timedelta(days=1)
    data = repair_data(resident, house_a, preferred_start=start.strftime("%Y-%m-%dT%H:%M"),
                       preferred_end=(start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
                       photos=[phone_photo()])
    response = owner.post(repair_page.url, data)

    assert errors_of(response, "preferred_start") == ["This time has already passed."]
    assert response.context["form"]["description"].value() == "厨房水龙头漏水"
    assert not Ticket.objects.exists() and not TicketAttachment.objects.exists()
    assert media_files(settings) == []


def test_a_category_of_another_kind_is_refused(owner, resident, repair_page, house_a, company):
    complaint = category(company, "噪音扰民", Ticket.Kind.COMPLAINT)
    response = owner.post(repair_page.url,
                          repair_data(resident, house_a, category=complaint.pk))

    assert errors_of(response, "category") == ["Choose one of the categories offered."]
    assert not Ticket.objects.exists()


# --- who may use the forms -----------------------------------------------------------------

def test_a_resident_of_another_community_is_refused(client, resident_b, repair_page):
    client.force_login(resident_b)
    response = client.post(repair_page.url, {"description": "x"})
    assert response.status_code == 403
    assert not Ticket.objects.exists()


def test_staff_see_the_page_without_the_form(client, service_a, repair_page):
    client.force_login(service_a)
    response = client.post(repair_page.url, {"description": "x"})
    assert response.status_code == 200 and response.context["form"] is None
    assert not Ticket.objects.exists()


def test_anonymous_visitors_are_asked_to_log_in(client, repair_page):
    response = client.get(repair_page.url)
    assert response.status_code == 403
    assert "/accounts/login/?next=" in response.content.decode()
