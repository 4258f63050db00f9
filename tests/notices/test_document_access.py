"""Files attached to notices are kept out of MEDIA_ROOT and served by Wagtail's document
view only to the people who may read a page that uses them; anyone else gets the 404 of
a document that does not exist."""

import importlib
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from wagtail.documents import get_document_model
from wagtail.models import PageViewRestriction
from wagtail.permissions import policy_registry

from portal.estates import roles
from tests import factories as f
from tests.notices import factories as nf

PDF = b"%PDF-1.4 water cut schedule"

migration = importlib.import_module("notices.migrations.0008_private_documents")


@pytest.fixture(autouse=True)
def folders(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_ROOT = tmp_path / "private"
    return settings


def upload(name="停水安排.pdf", content=PDF, by=None, title="停水安排"):
    return get_document_model().objects.create(
        title=title, file=ContentFile(content, name=name), uploaded_by_user=by)


def attach(document):
    return [("document", {"document": document, "title": ""})]


def editor_of(company, community):
    return f.StaffFactory(company=company, user__groups=[roles.EDITOR],
                          communities=[community]).user


def download(user, document):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(document.url)


@pytest.fixture
def document(db):
    return upload()


@pytest.fixture
def building_1_notice(index_a, house_a, document):
    return nf.notice(index_a, targets=[house_a.building], body=attach(document))


@pytest.mark.usefixtures("building_1_notice")
def test_resident_of_the_targeted_building_downloads_the_document(resident, document):
    response = download(resident, document)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.usefixtures("building_1_notice")
@pytest.mark.parametrize("who", ["neighbour", "resident_b", "outsider", "merchant",
                                 "manager_b", "anonymous"])
def test_nobody_else_gets_the_document(request, document, who):
    user = None if who == "anonymous" else request.getfixturevalue(who)

    assert download(user, document).status_code == 404


@pytest.mark.usefixtures("building_1_notice")
def test_a_refusal_is_the_answer_to_an_id_that_does_not_exist(neighbour, document):
    client = Client()
    client.force_login(neighbour)

    refused = client.get(document.url)
    guessed = client.get(f"/documents/{document.pk + 1000}/{document.filename}")

    assert refused.status_code == guessed.status_code == 404
    assert refused.content == guessed.content


@pytest.mark.usefixtures("building_1_notice")
def test_staff_of_another_community_cannot_download_what_the_admin_lets_them_choose(
        company, community_b, document):
    editor_b = editor_of(company, community_b)
    policy = policy_registry.get_by_type(get_document_model())
    assert policy.user_has_permission_for_instance(editor_b, "choose", document)

    assert download(editor_b, document).status_code == 404


@pytest.mark.usefixtures("building_1_notice")
@pytest.mark.parametrize("view", ["wagtaildocs_chooser:choose",
                                  "wagtaildocs_chooser:choose_results"])
def test_the_document_chooser_offers_staff_of_another_community_only_their_own(
        company, community_a, community_b, document, view):
    # Put in a notice of their own, it would be theirs to download.
    editor_b = editor_of(company, community_b)
    upload(name="parking.pdf", by=editor_b, title="翠湖苑停车安排")
    client = Client()

    def offered_to(user):
        client.force_login(user)
        response = client.get(reverse(view))
        is_json = response["Content-Type"].startswith("application/json")
        return response.json()["html"] if is_json else response.content.decode()

    offered_to_b = offered_to(editor_b)
    offered_to_a = offered_to(editor_of(company, community_a))

    assert "翠湖苑停车安排" in offered_to_b and "停水安排" not in offered_to_b
    assert "停水安排" in offered_to_a


@pytest.mark.usefixtures("building_1_notice")
def test_staff_of_the_notices_community_download_it(company, community_a, manager_a,
                                                     worker_a, document):
    assert download(editor_of(company, community_a), document).status_code == 200
    assert download(manager_a, document).status_code == 200
    assert download(worker_a, document).status_code == 200


def test_a_draft_notices_document_is_for_its_editors_only(index_a, company, community_a,
                                                          community_b, resident, house_a,
                                                          document):
    # As the admin saves a new notice as a draft.
    nf.notice(index_a, targets=[house_a.building], body=attach(document), publish=False,
              live=False)

    assert download(resident, document).status_code == 404
    assert download(editor_of(company, community_b), document).status_code == 404
    assert download(editor_of(company, community_a), document).status_code == 200


def test_a_document_no_page_uses_is_refused_to_residents_and_kept_for_its_uploader(
        company, community_a, resident, manager_a):
    uploader = editor_of(company, community_a)
    document = upload(by=uploader)

    assert download(resident, document).status_code == 404
    assert download(manager_a, document).status_code == 404
    assert download(uploader, document).status_code == 200


def test_a_public_notices_document_is_for_anyone(index_a, community_a, document):
    nf.notice(index_a, targets=[community_a], public=True, body=attach(document))

    assert download(None, document).status_code == 200


def test_a_handbooks_document_is_for_the_residents_of_its_community(home_a, resident,
                                                                   resident_b, document):
    nf.handbook(home_a, sections=[("section", {"heading": "装修管理",
                                               "body": attach(document)})])

    assert download(resident, document).status_code == 200
    assert download(resident_b, document).status_code == 404


def test_unpublishing_the_notice_withdraws_its_document(building_1_notice, resident, document):
    building_1_notice.unpublish()

    assert download(resident, document).status_code == 404


def test_privacy_set_on_a_public_notice_in_the_admin_keeps_its_document_too(
        index_a, community_a, resident, document):
    notice = nf.notice(index_a, targets=[community_a], public=True, body=attach(document))
    PageViewRestriction.objects.create(page=notice, restriction_type=PageViewRestriction.LOGIN)

    assert download(None, document).status_code == 404
    assert download(resident, document).status_code == 200


@pytest.mark.usefixtures("building_1_notice")
def test_served_documents_are_private_and_not_sniffed(resident, document):
    response = download(resident, document)

    assert "private" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")  # PDF: Wagtail shows it


def test_other_files_are_served_as_attachments(index_a, community_a, resident):
    spreadsheet = upload(name="名单.xlsx", content=b"PK\x03\x04")
    nf.notice(index_a, targets=[community_a], body=attach(spreadsheet))

    response = download(resident, spreadsheet)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert "private" in response["Cache-Control"]


def test_the_file_is_kept_outside_media_root(folders, document):
    assert Path(document.file.path).is_relative_to(folders.PRIVATE_ROOT)
    assert not (Path(folders.MEDIA_ROOT) / document.file.name).exists()
    with pytest.raises(NotImplementedError):
        default_storage.url(document.file.name)  # nothing to publish under MEDIA_URL
    assert document.url.startswith("/documents/")


def test_deleting_a_document_deletes_its_private_file(document,
                                                     django_capture_on_commit_callbacks):
    path = Path(document.file.path)
    assert path.exists()

    with django_capture_on_commit_callbacks(execute=True):
        document.delete()

    assert not path.exists()


def test_other_uploads_stay_under_media_root(folders):
    name = default_storage.save("original_images/gate.png", ContentFile(b"png"))

    assert (Path(folders.MEDIA_ROOT) / name).exists()
    assert default_storage.url(name) == f"/media/{name}"


# -- the migration -------------------------------------------------------------------------

def old_file(settings, name, content=PDF):
    path = Path(settings.MEDIA_ROOT) / "documents" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def test_the_migration_moves_an_old_file_and_it_is_served_again(folders, index_a, community_a,
                                                                resident):
    old = old_file(folders, "水费.pdf")
    document = get_document_model().objects.create(title="水费", file="documents/水费.pdf")
    nf.notice(index_a, targets=[community_a], body=attach(document))

    migration.move_out_of_media_root(None, None)

    assert not old.exists() and not old.parent.exists()
    assert (Path(folders.PRIVATE_ROOT) / "documents" / "水费.pdf").read_bytes() == PDF
    response = download(resident, document)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


def test_the_migration_can_run_again(folders):
    old_file(folders, "a.pdf")
    migration.move_out_of_media_root(None, None)
    moved = Path(folders.PRIVATE_ROOT) / "documents" / "a.pdf"

    migration.move_out_of_media_root(None, None)

    assert moved.read_bytes() == PDF


def test_the_migration_removes_a_copy_left_by_a_run_that_stopped(folders):
    old = old_file(folders, "a.pdf")
    copied = Path(folders.PRIVATE_ROOT) / "documents" / "a.pdf"
    copied.parent.mkdir(parents=True)
    copied.write_bytes(PDF)

    migration.move_out_of_media_root(None, None)

    assert not old.exists() and copied.read_bytes() == PDF


def test_the_migration_never_overwrites_a_different_file(folders):
    old = old_file(folders, "a.pdf")
    other = Path(folders.PRIVATE_ROOT) / "documents" / "a.pdf"
    other.parent.mkdir(parents=True)
    other.write_bytes(b"another document")

    migration.move_out_of_media_root(None, None)

    assert old.read_bytes() == PDF and other.read_bytes() == b"another document"


def test_the_migration_moves_files_back_when_reversed(folders):
    old_file(folders, "2024/a.pdf")
    migration.move_out_of_media_root(None, None)

    migration.move_back(None, None)

    assert (Path(folders.MEDIA_ROOT) / "documents" / "2024" / "a.pdf").read_bytes() == PDF
    assert not (Path(folders.PRIVATE_ROOT) / "documents").exists()
