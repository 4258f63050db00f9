"""A local stand-in for WeChat's servers (api.weixin.qq.com, open.weixin.qq.com and
mp.weixin.qq.com on one port), answering the Official Account API with WeChat's documented
request and response shapes and error codes.

Standard library only (plus segno for QR pictures), so it runs inside a test process or as
its own process (``python -m portal.wechat.stub``).
"""

import base64
import io
import itertools
import json
import secrets
import socket
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TOKEN_SECONDS = 7200
OAUTH_CODE_SECONDS = 300
QR_DEFAULT_SECONDS = 60
QR_MAX_SECONDS = 2592000
# What WeChat's servers send: the API's JSON with a non-standard "encoding" parameter, and
# the web OAuth endpoints' JSON as bare text/plain, which HTTP clients then decode as
# ISO-8859-1 (the reason django-allauth's weixin provider re-decodes the nickname).
API_JSON = "application/json; encoding=utf-8"
SNS_JSON = "text/plain"

ERRMSGS = {
    -1: "system error",
    40001: "invalid credential, access_token is invalid or not latest",
    40002: "invalid grant_type",
    40003: "invalid openid",
    40007: "invalid media_id",
    40013: "invalid appid",
    40016: "invalid button size",
    40017: "invalid button type",
    40018: "invalid button name size",
    40019: "invalid button key size",
    40020: "invalid button url size",
    40022: "invalid sub button level",
    40023: "invalid sub button size",
    40024: "invalid sub button type",
    40025: "invalid sub button name size",
    40026: "invalid sub button key size",
    40027: "invalid sub button url size",
    40029: "invalid code",
    40030: "invalid refresh_token",
    40037: "invalid template_id",
    40052: "invalid action name",
    40053: "invalid action info, please check document",
    40054: "invalid sub button url domain",
    40055: "invalid button url domain",
    40097: "invalid args",
    40125: "invalid appsecret",
    40163: "code been used",
    41001: "access_token missing",
    41002: "appid missing",
    41004: "appsecret missing",
    41008: "missing code",
    41009: "missing openid",
    42001: "access_token expired",
    43001: "require GET method",
    43002: "require POST method",
    43004: "require subscribe",
    46003: "menu no exist",
    47001: "data format error",
    47003: "argument invalid!",
    48001: "api unauthorized",
}

# Template keyword types of WeChat's current template messages and the most characters
# each value may have ("thing1": at most 20 characters, ...).
TEMPLATE_VALUE_LIMITS = {
    "thing": 20,
    "character_string": 32,
    "phrase": 5,
    "number": 32,
    "letter": 32,
    "symbol": 5,
    "car_number": 8,
    "phone_number": 17,
    "name": 20,
}

# What cgi-bin/media/get serves for a media_id added without content: a 16 x 16 green JPEG,
# as a photo a resident chose with wx.chooseImage and sent with wx.uploadImage.
SAMPLE_JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4n"
    "ICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/2wBDAQkJCQwLDBgNDRgyIRwhMjIyMjIyMjIyMjIyMjIyMjIy"
    "MjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjL/wAARCAAQABADASIAAhEBAxEB/8QAFQABAQAAAAAA"
    "AAAAAAAAAAAAAAL/xAAUEAEAAAAAAAAAAAAAAAAAAAAA/8QAFQEBAQAAAAAAAAAAAAAAAAAABAf/xAAUEQEA"
    "AAAAAAAAAAAAAAAAAAAA/9oADAMBAAIRAxEAPwCQAEzf/9k="
)
MEDIA_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif",
                    "audio/amr": "amr", "audio/mpeg": "mp3"}

MENU_LEAF_FIELDS = {
    "click": ("key",),
    "scancode_push": ("key",),
    "scancode_waitmsg": ("key",),
    "pic_sysphoto": ("key",),
    "pic_photo_or_album": ("key",),
    "pic_weixin": ("key",),
    "location_select": ("key",),
    "view": ("url",),
    "miniprogram": ("url", "appid", "pagepath"),
    "media_id": ("media_id",),
    "view_limited": ("media_id",),
    "article_id": ("article_id",),
    "article_view_limited": ("article_id",),
}


@dataclass(frozen=True)
class MenuLimits:
    """Byte limits and the error code for each rule, at one level of the menu."""

    name_bytes: int
    size: int
    type: int
    name: int
    key: int
    url: int
    domain: int


TOP_LEVEL = MenuLimits(16, 40016, 40017, 40018, 40019, 40020, 40055)
SUB_LEVEL = MenuLimits(60, 40023, 40024, 40025, 40026, 40027, 40054)
KEY_BYTES = 128
URL_BYTES = 1024


class WeChatError(Exception):
    def __init__(self, errcode, errmsg=None):
        super().__init__(errcode)
        self.errcode = errcode
        self.errmsg = errmsg or ERRMSGS.get(errcode, "error")

    def json(self):
        return {"errcode": self.errcode, "errmsg": self.errmsg}


@dataclass
class Call:
    path: str
    method: str
    params: dict
    body: dict | None


@dataclass
class Follower:
    openid: str
    subscribed: bool = True
    nickname: str = ""
    unionid: str = ""
    subscribe_time: int = field(default_factory=lambda: int(time.time()))
    subscribe_scene: str = "ADD_SCENE_QR_CODE"
    qr_scene: int = 0
    qr_scene_str: str = ""


@dataclass
class App:
    appid: str
    secret: str
    templates: set = field(default_factory=set)
    followers: dict = field(default_factory=dict)


@dataclass
class Grant:
    """An access token (or OAuth code / refresh token) and what it stands for."""

    appid: str
    openid: str = ""
    scope: str = ""
    issued: float = field(default_factory=time.monotonic)
    state: str = "valid"  # valid, expired, invalid, used


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = API_JSON
    headers: tuple = ()


def json_response(data, status=200, content_type=API_JSON):
    return Response(status, json.dumps(data, ensure_ascii=False).encode(), content_type)


def html_response(text, status=200):
    return Response(status, text.encode(), "text/html; charset=utf-8")


def ok(**extra):
    return {"errcode": 0, "errmsg": "ok", **extra}


def utf8_len(value):
    return len(str(value).encode())


def with_query(url, **params):
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


class WeChatStub:
    """WeChat's servers, in memory. Configure it with ``add_app``, ``add_follower``,
    ``add_template``, ``add_media``; inspect ``calls``, ``sent_templates``, ``menus``;
    inject trouble with ``fail_next``, ``drop_next``, ``expire_tokens`` and
    ``token_latency``."""

    def __init__(self, host="127.0.0.1", port=0, record_calls=True):
        """``record_calls=False``: count calls per path but keep no ``calls`` list (a long
        benchmark or demo would otherwise keep every request in memory)."""
        self.host = host
        self.port = port
        self.record_calls = record_calls
        self._lock = threading.Lock()
        self._httpd = None
        self._thread = None
        self.reset()

    # -- lifecycle ---------------------------------------------------------------------

    def bind(self):
        """Open the listening socket (port 0: a free one), so ``url`` is known."""
        handler = type("Handler", (StubHandler,), {
            "stub": self, "routes": route_table(Endpoints(self)),
        })
        self._httpd = StubHTTPServer((self.host, self.port), handler)
        self.port = self._httpd.server_address[1]

    def start(self):
        self.bind()
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1},
            name="wechat-stub", daemon=True,
        )
        self._thread.start()
        return self

    def stop(self):
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._thread.join(timeout=5)
            self._httpd = None

    def serve_forever(self):
        """Run in the calling thread (the standalone command)."""
        if self._httpd is None:
            self.bind()
        try:
            self._httpd.serve_forever(poll_interval=0.2)
        finally:
            self._httpd.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def url(self):
        return f"http://{self.host}:{self.port}/"

    # -- configuration -----------------------------------------------------------------

    def reset(self):
        """Forget everything: apps, followers, tokens, calls, menus, injected failures."""
        with self._lock:
            self.apps = {}
            self.tokens = {}
            self.jsapi_tickets = {}
            self.oauth_codes = {}
            self.sns_tokens = {}
            self.refresh_tokens = {}
            self.oauth_users = {}
            self.qrcodes = {}
            self.menus = {}
            self.media = {}
            self.calls = []
            self.call_counts = Counter()
            self.sent_templates = []
            self.token_requests = 0
            self.token_latency = 0.0
            self._failures = {}
            self._drops = Counter()
            self._msgids = itertools.count(2_000_000_000 + secrets.randbelow(10**6))
            self._qr_ids = itertools.count(1)

    def add_app(self, appid, secret):
        with self._lock:
            self.apps[appid] = App(appid, secret)

    def _app(self, appid):
        try:
            return self.apps[appid]
        except KeyError:
            raise KeyError(f"add_app({appid!r}, ...) first") from None

    def add_follower(self, appid, openid, subscribed=True, nickname="", unionid="", **extra):
        """``extra``: subscribe_time, subscribe_scene, qr_scene, qr_scene_str."""
        with self._lock:
            self._app(appid).followers[openid] = Follower(
                openid, subscribed, nickname, unionid, **extra
            )

    def unsubscribe(self, appid, openid):
        with self._lock:
            self._app(appid).followers[openid].subscribed = False

    def add_template(self, appid, template_id):
        with self._lock:
            self._app(appid).templates.add(template_id)

    def add_media(self, appid, media_id, content=SAMPLE_JPEG, content_type="image/jpeg"):
        """Temporary media of ``appid`` (what wx.uploadImage leaves on WeChat's servers),
        served by cgi-bin/media/get."""
        with self._lock:
            self._app(appid)
            self.media[(appid, media_id)] = (content, content_type)

    def set_oauth_user(self, appid, openid, scope_ok=True):
        """The WeChat user who opens the authorize page of ``appid``: ``openid`` (None: the
        page asks who to act as). ``scope_ok=False``: the user refuses snsapi_userinfo."""
        with self._lock:
            if openid is None:
                self.oauth_users.pop(appid, None)
            else:
                self.oauth_users[appid] = (openid, scope_ok)

    def _mark_grants(self, appid, state):
        with self._lock:
            for grants in (self.tokens, self.sns_tokens):
                for grant in grants.values():
                    if grant.state == "valid" and appid in (None, grant.appid):
                        grant.state = state

    def expire_tokens(self, appid=None):
        """Access tokens issued so far (API and OAuth) now answer 42001 access_token expired."""
        self._mark_grants(appid, "expired")

    def invalidate_tokens(self, appid=None):
        """Access tokens issued so far now answer 40001, as when someone else fetched a new
        one and the old one's grace period is over."""
        self._mark_grants(appid, "invalid")

    def fail_next(self, path, errcode, errmsg=None, times=1):
        """The next ``times`` calls to ``path`` answer WeChat's error JSON."""
        error = WeChatError(errcode, errmsg)
        with self._lock:
            self._failures.setdefault(path.lstrip("/"), deque()).extend([error] * times)

    def drop_next(self, path, times=1):
        """The next ``times`` calls to ``path`` get the connection closed, no answer."""
        with self._lock:
            self._drops[path.lstrip("/")] += times

    def calls_to(self, path):
        path = path.lstrip("/")
        with self._lock:
            return [call for call in self.calls if call.path == path]

    def stats(self):
        with self._lock:
            return {
                "calls": dict(self.call_counts),
                "sent_templates": len(self.sent_templates),
                "token_requests": self.token_requests,
            }

    # -- request plumbing --------------------------------------------------------------

    def record(self, path, method, params, body):
        """Log the call; return what trouble was injected for it (None, "drop" or error)."""
        with self._lock:
            if self.record_calls:
                self.calls.append(Call(path, method, params, body))
            self.call_counts[path] += 1
            if self._drops[path] > 0:
                self._drops[path] -= 1
                return "drop"
            failures = self._failures.get(path)
            if failures:
                return failures.popleft()
        return None

    def token_app(self, params, grants=None):
        token = params.get("access_token")
        if not token:
            raise WeChatError(41001)
        grant = (self.tokens if grants is None else grants).get(token)
        if grant is None or grant.state == "invalid":
            raise WeChatError(40001)
        if grant.state == "expired" or time.monotonic() - grant.issued > TOKEN_SECONDS:
            raise WeChatError(42001)
        return grant

    def _issue(self, grants, **fields):
        value = secrets.token_urlsafe(48)
        grants[value] = Grant(**fields)
        return value


def api(methods, path, needs_token=True, content_type=API_JSON):
    """``methods``: "GET", "POST", or both, as ("GET", "POST"): then form fields of a POST
    count as query parameters (django-allauth POSTs the OAuth code exchange)."""

    def register(function):
        function.http_methods = (methods,) if isinstance(methods, str) else methods
        function.path = path
        function.content_type = content_type
        function.needs_token = needs_token
        return function

    return register


class Endpoints:
    """One method per WeChat endpoint. ``app`` is the App the access_token belongs to."""

    def __init__(self, stub):
        self.stub = stub

    # -- credentials -------------------------------------------------------------------

    def _check_app_credentials(self, params):
        appid, secret = params.get("appid"), params.get("secret")
        if not appid:
            raise WeChatError(41002)
        if not secret:
            raise WeChatError(41004)
        app = self.stub.apps.get(appid)
        if app is None:
            raise WeChatError(40013)
        if not secrets.compare_digest(secret, app.secret):
            raise WeChatError(40125)
        return app

    @api("GET", "cgi-bin/token", needs_token=False)
    def cgi_bin_token(self, params, body, app):
        stub = self.stub
        with stub._lock:
            stub.token_requests += 1
        if stub.token_latency:
            time.sleep(stub.token_latency)
        if params.get("grant_type") != "client_credential":
            raise WeChatError(40002)
        app = self._check_app_credentials(params)
        with stub._lock:
            token = stub._issue(stub.tokens, appid=app.appid)
        return {"access_token": token, "expires_in": TOKEN_SECONDS}

    @api("GET", "cgi-bin/ticket/getticket")
    def cgi_bin_ticket_getticket(self, params, body, app):
        kind = params.get("type", "jsapi")
        if kind not in ("jsapi", "wx_card"):
            raise WeChatError(40097)
        ticket = secrets.token_urlsafe(64)
        with self.stub._lock:
            self.stub.jsapi_tickets[ticket] = (app.appid, kind)
        return ok(ticket=ticket, expires_in=TOKEN_SECONDS)

    # -- menu --------------------------------------------------------------------------

    @api("POST", "cgi-bin/menu/create")
    def cgi_bin_menu_create(self, params, body, app):
        buttons = body.get("button")
        if not isinstance(buttons, list):
            raise WeChatError(47001)
        if not 1 <= len(buttons) <= 3:
            raise WeChatError(TOP_LEVEL.size)
        for button in buttons:
            if not isinstance(button, dict):
                raise WeChatError(47001)
            check_button_name(button, TOP_LEVEL)
            subs = button.get("sub_button") or []
            if not subs:
                check_leaf_button(button, TOP_LEVEL)
                continue
            if not isinstance(subs, list) or len(subs) > 5:
                raise WeChatError(SUB_LEVEL.size)
            for sub in subs:
                if not isinstance(sub, dict):
                    raise WeChatError(47001)
                if sub.get("sub_button"):
                    raise WeChatError(40022)
                check_button_name(sub, SUB_LEVEL)
                check_leaf_button(sub, SUB_LEVEL)
        with self.stub._lock:
            self.stub.menus[app.appid] = json.loads(json.dumps({"button": buttons}))
        return ok()

    def _menu(self, app):
        menu = self.stub.menus.get(app.appid)
        if menu is None:
            raise WeChatError(46003)
        return json.loads(json.dumps(menu))

    @api("GET", "cgi-bin/menu/get")
    def cgi_bin_menu_get(self, params, body, app):
        menu = self._menu(app)
        for button in menu["button"]:
            button.setdefault("sub_button", [])
            for sub in button["sub_button"]:
                sub.setdefault("sub_button", [])
        return {"menu": menu}

    @api("GET", "cgi-bin/get_current_selfmenu_info")
    def cgi_bin_get_current_selfmenu_info(self, params, body, app):
        try:
            menu = self._menu(app)
        except WeChatError:
            return {"is_menu_open": 0}
        for button in menu["button"]:
            if button.get("sub_button"):
                button["sub_button"] = {"list": button["sub_button"]}
            else:
                button.pop("sub_button", None)
        return {"is_menu_open": 1, "selfmenu_info": menu}

    @api("GET", "cgi-bin/menu/delete")
    def cgi_bin_menu_delete(self, params, body, app):
        with self.stub._lock:
            self.stub.menus.pop(app.appid, None)
        return ok()

    # -- template messages -------------------------------------------------------------

    @api("POST", "cgi-bin/message/template/send")
    def cgi_bin_message_template_send(self, params, body, app):
        follower = known_follower(app, body.get("touser"))
        if not follower.subscribed:
            raise WeChatError(43004)
        template_id = body.get("template_id")
        if template_id not in app.templates:
            raise WeChatError(40037)
        check_template_data(body.get("data"))
        for name in ("url", "client_msg_id"):
            if not isinstance(body.get(name, ""), str):
                raise WeChatError(47001)
        miniprogram = body.get("miniprogram")
        if miniprogram is not None and not (
            isinstance(miniprogram, dict) and miniprogram.get("appid")
        ):
            raise WeChatError(47001)
        with self.stub._lock:
            msgid = next(self.stub._msgids)
            self.stub.sent_templates.append({**body, "msgid": msgid, "appid": app.appid})
        return ok(msgid=msgid)

    # -- temporary media ---------------------------------------------------------------

    @api("GET", "cgi-bin/media/get")
    def cgi_bin_media_get(self, params, body, app):
        """The file itself as an attachment, or WeChat's JSON error for a media_id it does
        not know (never uploaded to this account, or older than three days)."""
        media_id = params.get("media_id", "")
        media = self.stub.media.get((app.appid, media_id))
        if media is None:
            raise WeChatError(40007)
        content, content_type = media
        filename = f"{media_id}.{MEDIA_EXTENSIONS.get(content_type, 'bin')}"
        return Response(200, content, content_type, (
            ("Content-disposition", f'attachment; filename="{filename}"'),
            ("Cache-Control", "no-cache, must-revalidate"),
        ))

    # -- users -------------------------------------------------------------------------

    @api("GET", "cgi-bin/user/info")
    def cgi_bin_user_info(self, params, body, app):
        follower = known_follower(app, params.get("openid"))
        info = {"subscribe": 1 if follower.subscribed else 0, "openid": follower.openid}
        if follower.subscribed:
            info.update(
                language=params.get("lang", "zh_CN"),
                subscribe_time=follower.subscribe_time,
                remark="",
                groupid=0,
                tagid_list=[],
                subscribe_scene=follower.subscribe_scene,
                qr_scene=follower.qr_scene,
                qr_scene_str=follower.qr_scene_str,
            )
        if follower.unionid:
            info["unionid"] = follower.unionid
        return info

    # -- QR codes ----------------------------------------------------------------------

    @api("POST", "cgi-bin/qrcode/create")
    def cgi_bin_qrcode_create(self, params, body, app):
        action = body.get("action_name")
        scene = (body.get("action_info") or {}).get("scene") or {}
        if action in ("QR_SCENE", "QR_LIMIT_SCENE"):
            value = scene.get("scene_id")
            limit = 2**32 - 1 if action == "QR_SCENE" else 100000
            if not isinstance(value, int) or not 0 < value <= limit:
                raise WeChatError(40053)
        elif action in ("QR_STR_SCENE", "QR_LIMIT_STR_SCENE"):
            value = scene.get("scene_str")
            if not isinstance(value, str) or not 1 <= len(value) <= 64:
                raise WeChatError(40053)
        else:
            raise WeChatError(40052)
        temporary = "LIMIT" not in action
        expire = body.get("expire_seconds", QR_DEFAULT_SECONDS)
        if temporary and (not isinstance(expire, int) or not 0 < expire <= QR_MAX_SECONDS):
            raise WeChatError(47001)
        with self.stub._lock:
            serial = next(self.stub._qr_ids)
        short = base64.urlsafe_b64encode(secrets.token_bytes(15)).decode()
        url = f"http://weixin.qq.com/q/{short}"
        # Real tickets are standard base64 ('+', '/', '='), so callers must URL-encode them.
        ticket = base64.b64encode(serial.to_bytes(4, "big") + secrets.token_bytes(29)).decode()
        record = {"appid": app.appid, "action_name": action, "scene": value, "url": url}
        answer = {"ticket": ticket, "url": url}
        if temporary:
            answer["expire_seconds"] = expire
            record["expires_at"] = time.time() + expire
        with self.stub._lock:
            self.stub.qrcodes[ticket] = record
        return answer

    @api("GET", "cgi-bin/showqrcode", needs_token=False)
    def cgi_bin_showqrcode(self, params, body, app):
        record = self.stub.qrcodes.get(params.get("ticket", ""))
        if record is None or record.get("expires_at", float("inf")) < time.time():
            return html_response("<html><body>invalid ticket</body></html>", 404)
        import segno  # only needed for pictures; the rest of the stub is standard library

        picture = io.BytesIO()
        segno.make(record["url"], error="m").save(picture, kind="png", scale=4)
        return Response(200, picture.getvalue(), "image/png")

    # -- web page OAuth ----------------------------------------------------------------

    @api("GET", "connect/oauth2/authorize", needs_token=False)
    def connect_oauth2_authorize(self, params, body, app):
        appid = params.get("appid", "")
        redirect_uri = params.get("redirect_uri", "")
        scope = params.get("scope", "")
        if appid not in self.stub.apps:
            return html_response(error_page("appid invalid"), 400)
        if not redirect_uri.startswith(("http://", "https://")):
            return html_response(error_page("redirect_uri invalid"), 400)
        if params.get("response_type") != "code":
            return html_response(error_page("response_type invalid"), 400)
        if scope not in ("snsapi_base", "snsapi_userinfo"):
            return html_response(error_page("scope invalid"), 400)
        state = params.get("state", "")
        openid, scope_ok = self.stub.oauth_users.get(appid, (None, True))
        if params.get("act_as"):
            openid, scope_ok = params["act_as"], True
        if openid is None:
            return html_response(act_as_page(params))
        if scope == "snsapi_userinfo" and not scope_ok:
            return redirect(with_query(redirect_uri, state=state))
        with self.stub._lock:
            code = self.stub._issue(self.stub.oauth_codes, appid=appid, openid=openid,
                                    scope=scope)
        return redirect(with_query(redirect_uri, code=code, state=state))

    def _sns_token_answer(self, app, openid, scope):
        stub = self.stub
        with stub._lock:
            token = stub._issue(stub.sns_tokens, appid=app.appid, openid=openid, scope=scope)
            refresh = stub._issue(stub.refresh_tokens, appid=app.appid, openid=openid,
                                  scope=scope)
        answer = {"access_token": token, "expires_in": TOKEN_SECONDS, "refresh_token": refresh,
                  "openid": openid, "scope": scope}
        follower = app.followers.get(openid)
        if follower is not None and follower.unionid:
            answer["unionid"] = follower.unionid
        return answer

    @api(("GET", "POST"), "sns/oauth2/access_token", needs_token=False,
         content_type=SNS_JSON)
    def sns_oauth2_access_token(self, params, body, app):
        app = self._check_app_credentials(params)
        if params.get("grant_type") != "authorization_code":
            raise WeChatError(40002)
        if not params.get("code"):
            raise WeChatError(41008)
        with self.stub._lock:
            grant = self.stub.oauth_codes.get(params["code"])
            if grant is None or grant.appid != app.appid or (
                time.monotonic() - grant.issued > OAUTH_CODE_SECONDS
            ):
                raise WeChatError(40029)
            if grant.state == "used":
                raise WeChatError(40163)
            grant.state = "used"
        return self._sns_token_answer(app, grant.openid, grant.scope)

    @api(("GET", "POST"), "sns/oauth2/refresh_token", needs_token=False,
         content_type=SNS_JSON)
    def sns_oauth2_refresh_token(self, params, body, app):
        app = self.stub.apps.get(params.get("appid", ""))
        if app is None:
            raise WeChatError(40013)
        if params.get("grant_type") != "refresh_token":
            raise WeChatError(40002)
        grant = self.stub.refresh_tokens.get(params.get("refresh_token", ""))
        if grant is None or grant.appid != app.appid:
            raise WeChatError(40030)
        return self._sns_token_answer(app, grant.openid, grant.scope)

    @api("GET", "sns/userinfo", needs_token=False, content_type=SNS_JSON)
    def sns_userinfo(self, params, body, app):
        grant = self.stub.token_app(params, self.stub.sns_tokens)
        if params.get("openid") != grant.openid:
            raise WeChatError(40003)
        if grant.scope != "snsapi_userinfo":
            raise WeChatError(48001)
        follower = self.stub.apps[grant.appid].followers.get(grant.openid)
        info = {
            "openid": grant.openid,
            "nickname": follower.nickname if follower else "",
            "sex": 0,
            "province": "",
            "city": "",
            "country": "",
            "headimgurl": "",
            "privilege": [],
        }
        if follower is not None and follower.unionid:
            info["unionid"] = follower.unionid
        return info

    @api("GET", "sns/auth", needs_token=False, content_type=SNS_JSON)
    def sns_auth(self, params, body, app):
        try:
            grant = self.stub.token_app(params, self.stub.sns_tokens)
        except WeChatError as error:
            if error.errcode == 42001:
                raise
            raise WeChatError(40003) from None
        if params.get("openid") != grant.openid:
            raise WeChatError(40003)
        return ok()

    # -- control endpoints for tests and demos in another process ----------------------

    @api("GET", "_stub/stats", needs_token=False)
    def _stub_stats(self, params, body, app):
        return self.stub.stats()

    @api("GET", "_stub/sent_templates", needs_token=False)
    def _stub_sent_templates(self, params, body, app):
        with self.stub._lock:
            return {"sent_templates": list(self.stub.sent_templates)}

    @api("POST", "_stub/app", needs_token=False)
    def _stub_app(self, params, body, app):
        self.stub.add_app(body["appid"], body["secret"])
        for template_id in body.get("templates", []):
            self.stub.add_template(body["appid"], template_id)
        return ok()

    @api("POST", "_stub/follower", needs_token=False)
    def _stub_follower(self, params, body, app):
        self.stub.add_follower(**body)
        return ok()

    @api("POST", "_stub/followers", needs_token=False)
    def _stub_followers(self, params, body, app):
        """Many at once: {"appid", "openids": [...], "subscribed": true}."""
        for openid in body["openids"]:
            self.stub.add_follower(body["appid"], openid, body.get("subscribed", True))
        return ok()

    @api("POST", "_stub/media", needs_token=False)
    def _stub_media(self, params, body, app):
        """{"appid", "media_id"}, and optionally "content" (base64) and "content_type"."""
        content = base64.b64decode(body["content"]) if "content" in body else SAMPLE_JPEG
        self.stub.add_media(body["appid"], body["media_id"], content,
                            body.get("content_type", "image/jpeg"))
        return ok()

    @api("POST", "_stub/template", needs_token=False)
    def _stub_template(self, params, body, app):
        self.stub.add_template(body["appid"], body["template_id"])
        return ok()

    @api("POST", "_stub/oauth_user", needs_token=False)
    def _stub_oauth_user(self, params, body, app):
        self.stub.set_oauth_user(body["appid"], body.get("openid"), body.get("scope_ok", True))
        return ok()

    @api("POST", "_stub/expire_tokens", needs_token=False)
    def _stub_expire_tokens(self, params, body, app):
        self.stub.expire_tokens(body.get("appid"))
        return ok()

    @api("POST", "_stub/fail_next", needs_token=False)
    def _stub_fail_next(self, params, body, app):
        self.stub.fail_next(body["path"], body["errcode"], body.get("errmsg"),
                            body.get("times", 1))
        return ok()

    @api("POST", "_stub/reset", needs_token=False)
    def _stub_reset(self, params, body, app):
        self.stub.reset()
        return ok()


def route_table(endpoints):
    """URL path ("cgi-bin/menu/create") -> bound endpoint method."""
    methods = (getattr(endpoints, name) for name in dir(endpoints))
    return {method.path: method for method in methods if hasattr(method, "http_methods")}


def known_follower(app, openid):
    if not openid:
        raise WeChatError(41009)
    follower = app.followers.get(openid)
    if follower is None:
        raise WeChatError(40003)
    return follower


def check_button_name(button, level):
    name = button.get("name")
    if not isinstance(name, str) or not 0 < utf8_len(name) <= level.name_bytes:
        raise WeChatError(level.name)


def check_url(value, level):
    if not isinstance(value, str) or not 0 < utf8_len(value) <= URL_BYTES:
        raise WeChatError(level.url)
    if not value.startswith(("http://", "https://")) or not urlsplit(value).hostname:
        raise WeChatError(level.domain)


def check_leaf_button(button, level):
    fields = MENU_LEAF_FIELDS.get(button.get("type"))
    if fields is None:
        raise WeChatError(level.type)
    for name in fields:
        value = button.get(name)
        if name == "key":
            if not isinstance(value, str) or not 0 < utf8_len(value) <= KEY_BYTES:
                raise WeChatError(level.key)
        elif name == "url":
            check_url(value, level)
        elif name in ("media_id", "article_id"):
            if not value:
                raise WeChatError(40007)
        elif not isinstance(value, str) or not value:
            raise WeChatError(level.type)


def check_template_data(data):
    if not isinstance(data, dict):
        raise WeChatError(47001)
    for key, item in data.items():
        if not isinstance(item, dict) or "value" not in item:
            raise WeChatError(47001)
        kind = key.rstrip("0123456789")
        limit = TEMPLATE_VALUE_LIMITS.get(kind) if kind != key else None
        if limit is not None and len(str(item["value"])) > limit:
            raise WeChatError(47003, f"argument invalid! data.{key}.value invalid")


def parse_body(raw, content_type):
    """(body, bad): JSON as WeChat's API takes it, or a form as OAuth clients post it."""
    if not raw:
        return None, False
    if content_type.startswith("application/x-www-form-urlencoded"):
        return dict(parse_qsl(raw.decode(errors="replace"), keep_blank_values=True)), False
    try:
        return json.loads(raw), False
    except ValueError:
        return None, True


def redirect(location):
    return Response(302, b"", "text/plain", (("Location", location),))


def error_page(message):
    return f"<!doctype html><html><body><h1>{escape(message)}</h1></body></html>"


def act_as_page(params):
    hidden = "".join(
        f'<input type="hidden" name="{escape(key)}" value="{escape(value)}">'
        for key, value in params.items() if key != "act_as"
    )
    return (
        "<!doctype html><html><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width\"><title>WeChat login</title>"
        "</head><body><h1>WeChat login (local stub)</h1>"
        f"<form method=\"get\">{hidden}"
        "<label>Act as openid <input name=\"act_as\" value=\"demo-openid-0\" required></label> "
        "<button type=\"submit\">Log in</button></form></body></html>"
    )


class StubHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    allow_reuse_address = True


class StubHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "WeChatStub"
    timeout = 60
    stub: WeChatStub = None
    routes: dict = {}

    def setup(self):
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        self.handle_call("GET")

    def do_POST(self):
        self.handle_call("POST")

    def handle_call(self, method):
        parts = urlsplit(self.path)
        path = parts.path.lstrip("/")
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body, bad_body = parse_body(raw, self.headers.get("Content-Type", ""))
        endpoint = self.routes.get(path)
        content_type = endpoint.content_type if endpoint else API_JSON
        if not path.startswith("_stub/"):
            trouble = self.stub.record(path, method, params, body)
            if trouble == "drop":
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            if trouble is not None:
                return self.send(json_response(trouble.json(), content_type=content_type))
        if endpoint is None:
            return self.send(json_response(
                {"errcode": -1, "errmsg": f"stub: no endpoint {path}"}, 404))
        try:
            result = self.call(endpoint, method, params, body, bad_body)
        except WeChatError as error:
            result = error.json()
        except (KeyError, TypeError, ValueError) as error:
            # A control endpoint called with the wrong fields; WeChat's own endpoints
            # never get here.
            result = json_response({"errcode": -1, "errmsg": f"stub: bad request {error!r}"},
                                   400)
        if not isinstance(result, Response):
            result = json_response(result, content_type=content_type)
        self.send(result)

    def call(self, endpoint, method, params, body, bad_body):
        methods = endpoint.http_methods
        if method not in methods:
            raise WeChatError(43001 if "GET" in methods else 43002)
        app = None
        if endpoint.needs_token:
            app = self.stub.apps.get(self.stub.token_app(params).appid)
        if "GET" in methods:
            if isinstance(body, dict):
                params = {**body, **params}
        elif bad_body or not isinstance(body, dict):
            raise WeChatError(47001)
        return endpoint(params, body, app)

    def send(self, response):
        head = [
            f"HTTP/1.1 {response.status} {self.responses.get(response.status, ('',))[0]}",
            f"Content-Type: {response.content_type}",
            f"Content-Length: {len(response.body)}",
        ]
        head += [f"{name}: {value}" for name, value in response.headers]
        if self.close_connection:
            head.append("Connection: close")
        self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + response.body)
