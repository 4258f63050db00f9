"""The stub's cgi-bin/media/get: temporary media (photos sent with wx.uploadImage) as
WeChat serves them, the file itself as an attachment, or its JSON error."""

import base64

import requests

from portal.wechat.stub.server import SAMPLE_JPEG
from tests.wechat.conftest import APPID, SECRET

MEDIA_ID = "Zs7Pq2kR9vX0bN4mL8tY6wE1uI3oA5sD7fG9hJ2kL4zX6cV8bN0mQ1wE3rT5yU7i"


def token(stub, appid=APPID, secret=SECRET):
    return requests.get(stub.url + "cgi-bin/token", timeout=5, params={
        "grant_type": "client_credential", "appid": appid, "secret": secret,
    }).json()["access_token"]


def media_get(stub, media_id, access_token=None):
    return requests.get(stub.url + "cgi-bin/media/get", timeout=5, params={
        "access_token": access_token or token(stub), "media_id": media_id})


def test_known_media_is_served_as_an_attachment(wechat_stub):
    wechat_stub.add_media(APPID, MEDIA_ID)
    answer = media_get(wechat_stub, MEDIA_ID)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "image/jpeg"
    assert answer.headers["Content-disposition"] == f'attachment; filename="{MEDIA_ID}.jpg"'
    assert answer.content == SAMPLE_JPEG
    assert SAMPLE_JPEG.startswith(b"\xff\xd8\xff")


def test_unknown_media_id_answers_40007(wechat_stub):
    answer = media_get(wechat_stub, "no-such-media")
    assert answer.headers["Content-Type"].startswith("application/json")
    assert answer.json() == {"errcode": 40007, "errmsg": "invalid media_id"}


def test_media_of_another_account_is_unknown(wechat_stub):
    wechat_stub.add_app("wxotherapp0002", "other-secret")
    wechat_stub.add_media("wxotherapp0002", MEDIA_ID)
    assert media_get(wechat_stub, MEDIA_ID).json()["errcode"] == 40007


def test_media_needs_a_valid_access_token(wechat_stub):
    wechat_stub.add_media(APPID, MEDIA_ID)
    assert media_get(wechat_stub, MEDIA_ID, access_token="forged").json()["errcode"] == 40001


def test_media_can_be_added_from_another_process(wechat_stub):
    png = b"\x89PNG\r\n\x1a\n-not-really"
    added = requests.post(wechat_stub.url + "_stub/media", timeout=5, json={
        "appid": APPID, "media_id": MEDIA_ID, "content": base64.b64encode(png).decode(),
        "content_type": "image/png"})
    assert added.json()["errcode"] == 0
    answer = media_get(wechat_stub, MEDIA_ID)
    assert answer.content == png
    assert answer.headers["Content-disposition"].endswith('.png"')
