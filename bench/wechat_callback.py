"""Benchmark: WeChat's server delivering a signed text message that a keyword auto-reply
answers, against the trivial view /healthz served by the same server.

Set up as bench.home_page does: a fresh database (PostgreSQL when DATABASE_URL points at
one, else a temporary SQLite file), `seed_demo` (the demo estate and its Official Account
with the default replies and following residents), gunicorn with 2 workers and
production settings, Redis as the shared cache, wrk with 32 connections. The demo
account is put in compatible mode, so that it takes plain and encrypted messages alike.

The message is what a demo follower (a verified resident) sends: "报修", answered by the
default keyword reply with the repair link of their community. Each request is a new
message with its own MsgId, so each is recorded (the retry check) and answered:

- plain mode: the signature covers token, timestamp and nonce, not the body, so one
  signed query serves the whole run and a wrk Lua script numbers the MsgIds;
- safe mode: every request's body is encrypted beforehand with its own msg_signature,
  and the Lua script reads them from a file.

Target: p99 under 20 ms at 32 connections (plain mode). Also measured: one connection
at a time, the time one message takes without waiting behind others. Checks: no errors,
every answer a reply (not "success"), every answered message recorded.
"""

import json
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from bench.home_page import (
    CONNECTIONS,
    DURATION,
    ROOT,
    THREADS,
    WARM_UP,
    _database,
    _environment,
    _gunicorn,
    _manage,
    _row,
    parse_wrk,
)
from portal.wechat.stub import messages

BENCHMARK = "WeChat callback"
P99_TARGET_MS = 20
KEYWORD = "报修"

PREPARE = """
import json
import django
django.setup()
from portal.wechat import demo
from portal.wechat.models import Follower, OfficialAccount
account = OfficialAccount.objects.get(appid=demo.APPID)
account.message_mode = OfficialAccount.MessageMode.COMPATIBLE
account.save()
follower = (Follower.objects.filter(account=account, user__isnull=False, is_subscribed=True)
            .order_by("pk").first())
print(json.dumps({"appid": account.appid, "token": account.token,
                  "key": account.encoding_aes_key, "gh": account.original_id,
                  "openid": follower.openid}))
"""

COUNT_RECORDED = """
import django
django.setup()
from portal.wechat.models import ReceivedMessage
print(ReceivedMessage.objects.count())
"""

# Each thread numbers its own messages; the run number (the script's argument) keeps
# the warm-up's MsgIds apart from the measured run's.
LUA_COMMON = """
local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
function response(status, headers, body)
  if status ~= 200 or not string.find(body, MARKER, 1, true) then
    misses = misses + 1
  end
end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("misses") end
  io.write(string.format("Answers without a reply: %d\\n", total))
end
"""

LUA_PLAIN = LUA_COMMON + """
function init(args)
  misses = 0
  counter = 0
  run = tonumber(args[1])
end
function request()
  counter = counter + 1
  local msg_id = string.format("%d%02d%010d", run, id, counter)
  return wrk.format("POST", PATH, HEADERS, HEAD .. msg_id .. TAIL)
end
"""

LUA_SAFE = LUA_COMMON + """
function init(args)
  misses = 0
  lines = {}
  for line in io.lines(args[1]) do table.insert(lines, line) end
  index = id * math.floor(#lines / THREADS)
end
function request()
  index = index + 1
  local line = lines[index]
  local tab = string.find(line, "\\t", 1, true)
  return wrk.format("POST", string.sub(line, 1, tab - 1), HEADERS, string.sub(line, tab + 1))
end
"""


def run():
    with tempfile.TemporaryDirectory(prefix="bench-wechat-") as tmp, \
            _database(Path(tmp)) as (database_url, database):
        tmp = Path(tmp)
        env = _environment(database_url, tmp)
        _manage(env, "migrate", "--noinput")
        _manage({**env, "DEBUG": "1"}, "seed_demo")
        account = json.loads(_python(env, PREPARE))
        _manage(env, "collectstatic", "--noinput")
        with _gunicorn(env, tmp) as base:
            _check_reply(base, account)
            trivial = _load(f"{base}/healthz")
            plain = _load_plain(base, account, tmp)
            safe = _load_safe(base, account, tmp, plain["rps"])
            alone = _load_plain(base, account, tmp, connections=1)
        recorded = int(_python(env, COUNT_RECORDED))

    name = f"{BENCHMARK} ({database})"
    answered = 1 + sum(case["requests"] for case in (plain, safe, alone))
    misses = plain["misses"] + safe["misses"] + alone["misses"]
    return [
        _row(name, "trivial view /healthz", round(trivial["rps"]), "req/s"),
        _row(name, "trivial view p50", trivial["p50"], "ms"),
        _row(name, "trivial view p99", trivial["p99"], "ms"),
        _row(name, "text + keyword reply, plain mode", round(plain["rps"]), "req/s",
             "no errors", plain["errors"] == 0),
        _row(name, "plain mode p50", plain["p50"], "ms"),
        _row(name, "plain mode p99", plain["p99"], "ms", f"< {P99_TARGET_MS} ms",
             plain["p99"] < P99_TARGET_MS),
        _row(name, "plain / trivial throughput", round(plain["rps"] / trivial["rps"] * 100),
             "%"),
        _row(name, "text + keyword reply, safe mode", round(safe["rps"]), "req/s",
             "no errors", safe["errors"] == 0),
        _row(name, "safe mode p50", safe["p50"], "ms"),
        _row(name, "safe mode p99", safe["p99"], "ms"),
        _row(name, "plain mode, one connection p50", alone["p50"], "ms"),
        _row(name, "plain mode, one connection p99", alone["p99"], "ms"),
        _row(name, "answers that were not a reply", misses, "", "0", misses == 0),
        _row(name, "messages recorded, warm-ups included", recorded, "",
             f">= {answered} answered", recorded >= answered),
    ]


def _python(env, code):
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True,
                            capture_output=True, text=True)
    return result.stdout.strip().splitlines()[-1]


def _text(account, msg_id):
    return messages.text(to_user=account["gh"], from_user=account["openid"], content=KEYWORD,
                         msg_id=msg_id)


def _sign_kwargs(account, mode):
    return {"token": account["token"], "mode": mode, "encoding_aes_key": account["key"],
            "appid": account["appid"]}


def _callback(account):
    return f"/wechat/callback/{account['appid']}/"


def _check_reply(base, account):
    """One message by hand: the answer must be the keyword reply with a link."""
    status, body = messages.push(base + _callback(account), _text(account, 1),
                                 **_sign_kwargs(account, "plain"))
    if status != 200 or b"<Content>" not in body or b"http://" not in body:
        raise RuntimeError(f"the callback answered {status}: {body[:300]!r}")


def _load(url, script=None, args=(), connections=CONNECTIONS):
    threads = min(THREADS, connections)

    def load(duration, *extra):
        command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}", "--latency"]
        if script is not None:
            command += ["-s", str(script)]
        command += [url, *(["--", *extra] if extra else [])]
        return subprocess.run(command, check=True, capture_output=True, text=True,
                              timeout=120).stdout

    # Workers' first requests fill their caches and connections.
    load(WARM_UP, *(args[0] if args else ()))
    output = load(DURATION, *(args[1] if args else ()))
    result = parse_wrk(output)
    result["requests"] = int(output.split(" requests in ")[0].split()[-1])
    result["misses"] = _misses(output)
    return result


def _misses(output):
    for line in output.splitlines():
        if line.startswith("Answers without a reply:"):
            return int(line.split(":")[1])
    return 0


def _lua_string(value):
    return "[==[" + value + "]==]"


def _script(tmp, name, body, marker, **constants):
    lines = [f"{key} = {value}" for key, value in constants.items()]
    lines.append(f"MARKER = {_lua_string(marker)}")
    lines.append('HEADERS = {["Content-Type"] = "text/xml"}')
    path = tmp / name
    path.write_text("\n".join(lines) + "\n" + body)
    return path


def _load_plain(base, account, tmp, connections=CONNECTIONS):
    placeholder = 424242
    signed = messages.sign(_text(account, placeholder), **_sign_kwargs(account, "plain"))
    head, tail = signed.body.decode().split(f"<MsgId>{placeholder}</MsgId>")
    script = _script(tmp, "plain.lua", LUA_PLAIN, "<Content>",
                     PATH=_lua_string(_callback(account) + "?" + urlencode(signed.query)),
                     HEAD=_lua_string(head + "<MsgId>"), TAIL=_lua_string("</MsgId>" + tail))
    # MsgIds are <run><thread><counter>; the hand-made check was MsgId 1.
    runs = (["1"], ["2"]) if connections == CONNECTIONS else (["3"], ["4"])
    return _load(base + _callback(account), script, args=runs, connections=connections)


def _safe_requests(account, path, count, first_id):
    """``count`` lines "path?query<TAB>body", each an encrypted message of its own."""
    with open(path, "w") as out:
        for number in range(count):
            signed = messages.sign(_text(account, first_id + number),
                                   **_sign_kwargs(account, "safe"))
            url = _callback(account) + "?" + urlencode(signed.query)
            out.write(url + "\t" + signed.body.decode().replace("\n", "") + "\n")


def _load_safe(base, account, tmp, plain_rps):
    # More messages than the run can use (safe mode is the slower), so none repeats.
    seconds = int(DURATION.rstrip("s")) + int(WARM_UP.rstrip("s"))
    count = int(plain_rps * seconds * 1.5) + 2000
    first_id = 9 * 10**17 + secrets.randbelow(10**9) * 10**7
    warm, main = tmp / "safe-warm.txt", tmp / "safe-main.txt"
    _safe_requests(account, warm, count, first_id)
    started = time.monotonic()
    _safe_requests(account, main, count, first_id + count)
    if time.monotonic() - started > 60:
        raise RuntimeError("encrypting the messages took too long: their timestamps would expire")
    script = _script(tmp, "safe.lua", LUA_SAFE, "<Encrypt>", THREADS=THREADS)
    return _load(base + _callback(account), script, args=([str(warm)], [str(main)]))


if __name__ == "__main__":
    for row in run():
        print("  ".join(str(row[column]) for column in row))
