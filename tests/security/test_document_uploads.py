"""Files attached to notices are served on the portal's own address (through Wagtail's
document view). A page or a script uploaded as a "document" would run there for whoever
opens its link (another community's staff, leadership), so only documents, pictures and
archives are taken."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.documents import get_document_model
from wagtail.models import Collection

from tests import factories as f

PAGE = b"<html><script>fetch('/admin/')</script></html>"


@pytest.fixture
def editor(db, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_ROOT = tmp_path / "private"  # where documents are kept
    client.force_login(f.UserFactory(is_superuser=True, is_staff=True))
    return client


def upload(client, name, content=PAGE):
    return client.post(reverse("wagtaildocs:add"), {
        "title": "停水通知", "file": SimpleUploadedFile(name, content),
        "collection": Collection.get_first_root_node().pk})


@pytest.mark.parametrize("name", ["notice.html", "notice.htm", "notice.svg", "notice.xhtml",
                                  "notice.js", "notice.xml"])
def test_pages_and_scripts_are_refused(editor, name):
    response = upload(editor, name)

    assert response.status_code == 200
    assert not get_document_model().objects.exists()


@pytest.mark.parametrize("name", ["通知.pdf", "名单.xlsx", "安排.docx", "notice.wps"])
def test_documents_are_taken(editor, name):
    response = upload(editor, name, b"%PDF-1.4 a document")

    assert response.status_code == 302
    assert get_document_model().objects.get().file.name.endswith(name.rsplit(".")[-1])
