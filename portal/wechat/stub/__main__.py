"""Run the WeChat stub on its own:

    python -m portal.wechat.stub --port 8001 --app APPID:SECRET[:TEMPLATE_ID,...] [--followers N]
"""

import argparse
import sys

from .server import WeChatStub


def parse_app(value):
    appid, _, rest = value.partition(":")
    secret, _, templates = rest.partition(":")
    if not appid or not secret:
        raise argparse.ArgumentTypeError("expected APPID:SECRET[:TEMPLATE_ID,...]")
    return appid, secret, [t for t in templates.split(",") if t]


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m portal.wechat.stub", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--app", type=parse_app, action="append", default=[],
                        help="an account WeChat knows; repeatable")
    parser.add_argument("--followers", type=int, default=0,
                        help="subscribe demo-openid-0..N-1 to every account")
    parser.add_argument("--oauth-user", default=None,
                        help="openid the authorize page logs in as (default: it asks)")
    parser.add_argument("--token-latency", type=float, default=0.0)
    parser.add_argument("--record-calls", action="store_true",
                        help="keep every call in memory (default: only counts per path)")
    args = parser.parse_args(argv)

    stub = WeChatStub(args.host, args.port, record_calls=args.record_calls)
    for appid, secret, templates in args.app:
        stub.add_app(appid, secret)
        for template_id in templates:
            stub.add_template(appid, template_id)
        for number in range(args.followers):
            stub.add_follower(appid, f"demo-openid-{number}")
        if args.oauth_user:
            stub.set_oauth_user(appid, args.oauth_user)
    stub.token_latency = args.token_latency
    stub.bind()
    print(f"WeChat stub listening on {stub.url}", flush=True)
    try:
        stub.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
