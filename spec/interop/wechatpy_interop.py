"""Drives the WeCom simulator with wechatpy, as a third-party client would.

Usage: python wechatpy_interop.py BASE_URL CORP_ID SECRET AGENT_ID
Prints one JSON object with what wechatpy got back; exits non-zero on any error.

wechatpy is used unchanged except for one thing it does not let callers configure:
WeChatClient.fetch_access_token hardcodes "https://qyapi.weixin.qq.com/cgi-bin/gettoken"
(every other call uses API_BASE_URL). The subclass below sends that same request to
API_BASE_URL + "gettoken" through wechatpy's own _fetch_access_token, so wechatpy still
builds the request and parses, checks and caches the answer.
"""
import json
import sys

from wechatpy.work import WeChatClient


class SimulatorClient(WeChatClient):
    def fetch_access_token(self):
        return self._fetch_access_token(
            url=self.API_BASE_URL + "gettoken",
            params={"corpid": self.corp_id, "corpsecret": self.secret},
        )


def main():
    base_url, corp_id, secret, agent_id = sys.argv[1:5]
    client = SimulatorClient(corp_id, secret)
    client.API_BASE_URL = base_url.rstrip("/") + "/cgi-bin/"
    sent = client.message.send_text(int(agent_id), "zhangsan", "hi")
    user = client.user.get("zhangsan")
    print(json.dumps({
        "send": sent,
        "user": user,
        "token_length": len(client.access_token),
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
