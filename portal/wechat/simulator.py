"""A developer page that plays a follower: it builds and signs a message exactly as WeChat's
servers do (with the stub's message builder, independent of our callback's code), posts
it to our own callback over real HTTP, and shows the reply decoded.

Only with DEBUG on and only for superusers: the messages it sends act on real followers
of the chosen account (an unsubscribe marks them as gone).
"""

from dataclasses import dataclass

import xmltodict
from django import forms
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.estates.models import Community

from .models import OfficialAccount
from .replies import DEFAULT_REPLIES
from .stub import messages

DEFAULT_OPENID = "o-simulated-follower-0001"


class SimulatorForm(forms.Form):
    ACTIONS = [
        ("text", _("Send a text message")),
        ("subscribe", _("Follow (optionally by scanning a community's poster)")),
        ("scan", _("Scan a community's poster while following")),
        ("click", _("Click a menu button (click key)")),
        ("view", _("Open a menu link (view URL)")),
        ("unsubscribe", _("Unfollow")),
        ("image", _("Send a picture")),
        ("location", _("Send a location")),
    ]

    account = forms.ModelChoiceField(OfficialAccount.objects.active(), label=_("Official account"),
                                     empty_label=None)
    openid = forms.CharField(label=_("Follower's OpenID"), max_length=64, initial=DEFAULT_OPENID)
    action = forms.ChoiceField(label=_("What the follower does"), choices=ACTIONS)
    content = forms.CharField(label=_("Text"), max_length=600, required=False,
                              initial=DEFAULT_REPLIES[0][1])  # a keyword of the demo replies
    scene = forms.ChoiceField(label=_("Poster of community"), required=False)
    key = forms.CharField(label=_("Click key or view URL"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scene"].choices = [("", _("(no poster)"))] + [
            (community.code, community.name) for community in Community.objects.order_by("name")
        ]

    def clean(self):
        data = super().clean()
        account = data.get("account")
        if account is not None and not account.token:
            raise forms.ValidationError(_("This account has no token: set one first."))
        if account is not None and account.message_mode != account.MessageMode.PLAIN \
                and not account.encoding_aes_key:
            raise forms.ValidationError(_("This account has no EncodingAESKey: set one first."))
        return data


def build_message(data):
    account = data["account"]
    sender = {"to_user": account.original_id or "gh_simulator", "from_user": data["openid"]}
    action, scene, key = data["action"], data["scene"] or None, data["key"]
    if action == "text":
        return messages.text(content=data["content"], **sender)
    if action == "image":
        return messages.image(pic_url="https://example.com/photo.jpg", media_id="simulated",
                              **sender)
    if action == "location":
        return messages.location(latitude=30.27, longitude=120.15, label="", **sender)
    if action == "subscribe":
        return messages.subscribe(scene=scene, ticket="simulated" if scene else None, **sender)
    if action == "scan":
        return messages.scan(scene=scene or "", ticket="simulated", **sender)
    if action == "click":
        return messages.click(key=key, **sender)
    if action == "view":
        return messages.view(url=key, **sender)
    return messages.unsubscribe(**sender)


@dataclass
class Exchange:
    sent: str
    status: int
    answer: str
    reply: dict | None  # the decoded reply's <xml> element, None for "success" or an error


def simulate(data, callback_url):
    account = data["account"]
    xml = build_message(data)
    sign_kwargs = {"token": account.token, "mode": account.message_mode,
                   "encoding_aes_key": account.encoding_aes_key, "appid": account.appid}
    try:
        status, body = messages.push(callback_url, xml, **sign_kwargs)
    except OSError as error:  # e.g. a server with a single worker cannot call itself
        return Exchange(sent=xml, status=0, answer=str(error), reply=None)
    answer = body.decode("utf-8", "replace")
    reply = None
    if status == 200 and answer.lstrip().startswith("<xml"):
        if account.message_mode != account.MessageMode.PLAIN:
            answer = messages.decrypt_reply(body, account.token, account.encoding_aes_key,
                                            account.appid)
        reply = xmltodict.parse(answer)["xml"]
    return Exchange(sent=xml, status=status, answer=answer, reply=reply)


def _articles(reply):
    if reply is None or reply.get("MsgType") != "news":
        return []
    items = reply.get("Articles", {}).get("item", [])
    return items if isinstance(items, list) else [items]


def simulator(request):
    if not settings.DEBUG:
        raise Http404
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("wagtailadmin_login"))
    if not request.user.is_superuser:
        raise PermissionDenied
    form = SimulatorForm(request.POST or None)
    exchange = None
    if request.method == "POST" and form.is_valid():
        url = request.build_absolute_uri(
            reverse("wechat:callback", args=[form.cleaned_data["account"].appid]))
        exchange = simulate(form.cleaned_data, url)
    return render(request, "wechat/simulator.html", {
        "form": form,
        "exchange": exchange,
        "articles": _articles(exchange.reply if exchange else None),
    })
