"""Factories for the WeChat app: official accounts, their followers, auto-replies."""

import factory
import xmltodict
from django.urls import reverse

from portal.wechat import models
from portal.wechat.stub import messages
from tests import factories as f

TOKEN = "test-token"
GH = "gh_portal0000001"  # the accounts' original ID, the ToUserName of what followers send
# WeChat's own sample EncodingAESKey: 43 characters, base64 of a 32-byte key.
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"


class OfficialAccountFactory(factory.django.DjangoModelFactory):
    """A company-wide account in safe mode; pass ``community=`` for a community's own,
    and ``appid=APPID`` (tests.wechat.conftest) for the one the WeChat stub knows."""

    class Meta:
        model = models.OfficialAccount
        django_get_or_create = ("appid",)

    company = factory.SubFactory(f.CompanyFactory)
    name = factory.Sequence(lambda n: f"幸福物业服务号{n}")
    original_id = GH
    appid = factory.Sequence(lambda n: f"wxfactoryapp{n:04d}")
    secret = "test-secret"
    token = TOKEN
    encoding_aes_key = AES_KEY
    message_mode = models.OfficialAccount.MessageMode.SAFE


class FollowerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Follower

    account = factory.SubFactory(OfficialAccountFactory)
    openid = factory.Sequence(lambda n: f"o-follower-{n:08d}")
    is_subscribed = True


class AutoReplyFactory(factory.django.DjangoModelFactory):
    """A company-wide exact-keyword text reply."""

    class Meta:
        model = models.AutoReply

    company = factory.SubFactory(f.CompanyFactory)
    keyword = factory.Sequence(lambda n: f"关键词{n}")
    match = models.AutoReply.Match.EXACT
    kind = models.AutoReply.Kind.TEXT
    text = "回复内容"


# -- messages from WeChat -----------------------------------------------------------------

def callback_url(account):
    return reverse("wechat:callback", args=[account.appid])


def sign_for(account, xml, mode=None, **kwargs):
    """``xml`` signed (and encrypted) as WeChat does for ``account``, in its message mode
    unless ``mode`` says otherwise."""
    kwargs.setdefault("token", account.token)
    kwargs.setdefault("encoding_aes_key", account.encoding_aes_key)
    kwargs.setdefault("appid", account.appid)
    return messages.sign(xml, mode=mode or account.message_mode, **kwargs)


def push(client, account, xml, mode=None, **kwargs):
    """POST a message to the callback as WeChat's server does; the Django response."""
    signed = sign_for(account, xml, mode, **kwargs)
    return client.post(signed.url(callback_url(account)), data=signed.body,
                       content_type="text/xml")


def reply_of(response, account):
    """The reply's <xml> element as a dict (decrypted when encrypted), None for "success"."""
    assert response.status_code == 200, response.status_code
    body = response.content.decode()
    if body == "success":
        return None
    if "<Encrypt>" in body:
        body = messages.decrypt_reply(body, account.token, account.encoding_aes_key,
                                      account.appid)
    return xmltodict.parse(body)["xml"]
