"""Run the WeChat Pay stub on its own, for the demo:

    python -m portal.payments.stub --port 8002 --mchid 1900000109 --appid wx... \
        --merchant-public-key merchant_public.pem --merchant-serial-no SERIAL \
        --apiv3-key KEY32CHARS --write-public-key platform_public.pem

It prints the platform public key id; give the portal that id and the written key
(WECHATPAY_PUBLIC_KEY_ID, WECHATPAY_PUBLIC_KEY_FILE) and WECHATPAY_BASE_URL=its URL.
Type an order number and Enter to pay it (its notification is sent), "refund NUMBER" to
complete a refund.
"""

import argparse
import sys
import threading
from pathlib import Path

from .server import WeChatPayStub


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m portal.payments.stub", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8002)
    parser.add_argument("--mchid", required=True)
    parser.add_argument("--appid", required=True)
    parser.add_argument("--apiv3-key", required=True)
    parser.add_argument("--merchant-public-key", type=Path, required=True)
    parser.add_argument("--merchant-serial-no", required=True)
    parser.add_argument("--write-public-key", type=Path, required=True,
                        help="where to write the platform public key (PEM)")
    args = parser.parse_args(argv)

    stub = WeChatPayStub(args.host, args.port, mchid=args.mchid, appid=args.appid,
                         apiv3_key=args.apiv3_key,
                         merchant_public_key=args.merchant_public_key.read_text(),
                         merchant_serial_no=args.merchant_serial_no)
    args.write_public_key.write_text(stub.platform_public_key)
    stub.bind()
    print(f"WeChat Pay stub listening on {stub.url}; platform public key id "
          f"{stub.public_key_id}", flush=True)
    threading.Thread(target=stub.serve_forever, daemon=True).start()
    try:
        for line in sys.stdin:
            words = line.split()
            if len(words) == 1 and words[0] in stub.orders:
                print(stub.pay(words[0]), flush=True)
            elif len(words) == 2 and words[0] == "refund" and words[1] in stub.refunds:
                print(stub.complete_refund(words[1]), flush=True)
            elif words:
                print("unknown order or refund", flush=True)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
