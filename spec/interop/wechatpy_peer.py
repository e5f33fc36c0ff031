#!/usr/bin/env python3
"""Interop peer: wechatpy's WeChatCrypto. Reads one JSON request on stdin, writes one JSON
answer on stdout. Used by spec/callback/interop_spec.rb (run with tmp/venv/bin/python)."""
import json
import sys

try:
    from wechatpy.work.crypto import WeChatCrypto
except ImportError:  # wechatpy 1.8 keeps the work (enterprise) client here
    from wechatpy.enterprise.crypto import WeChatCrypto


def main():
    req = json.load(sys.stdin)
    crypto = WeChatCrypto(req["token"], req["key"], req["corp_id"])
    op = req["op"]
    if op == "check_signature":
        out = {"echo": crypto.check_signature(req["signature"], req["timestamp"], req["nonce"], req["echostr"])}
    elif op == "decrypt_message":
        out = {"message": crypto.decrypt_message(req["xml"], req["signature"], req["timestamp"], req["nonce"])}
    elif op == "encrypt_message":
        out = {"xml": crypto.encrypt_message(req["message"], req["nonce"], req["timestamp"])}
    else:
        raise SystemExit("unknown op " + op)
    if isinstance(out.get("echo"), bytes):
        out["echo"] = out["echo"].decode("utf-8")
    if isinstance(out.get("message"), bytes):
        out["message"] = out["message"].decode("utf-8")
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
