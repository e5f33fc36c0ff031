"""Drives the WeCom simulator with wechatpy, as a third-party client would.

Usage: python wechatpy_interop.py BASE_URL CORP_ID SECRET AGENT_ID
Prints one JSON object with what wechatpy got back; exits non-zero on any error.

wechatpy is used unchanged except for two URLs it does not let callers configure:
WeChatClient.fetch_access_token hardcodes "https://qyapi.weixin.qq.com/cgi-bin/gettoken" and
media.get_url hardcodes ".../cgi-bin/media/get" (every other call uses API_BASE_URL). The
overrides below send those same requests to API_BASE_URL, through wechatpy's own code, so
wechatpy still builds the requests and parses, checks and caches the answers.
"""
import json
import sys

import io

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
    client.media.get_url = lambda media_id: "{}media/get?access_token={}&media_id={}".format(
        client.API_BASE_URL, client.access_token, media_id)
    result = {
        "send": client.message.send_text(int(agent_id), "zhangsan", "hi"),
        "user": client.user.get("zhangsan"),
        "token_length": len(client.access_token),
        # contacts
        "members": client.user.list(2, fetch_child=True, simple=True),
        "department_users": client.department.get_users(1, fetch_child=1),
        "tags": client.tag.list(),
        "tag_users": client.tag.get_users(1),
        "openid": client.user.convert_to_openid("lilei"),
    }
    # group chats
    chat_id = client.appchat.create(name="Hiring: backend", owner="lilei", user_list=["lilei", "hanmeimei"])["chatid"]
    result["chat_id"] = chat_id
    result["chat"] = client.appchat.get(chat_id)
    result["chat_send"] = client.appchat.send_text(chat_id, "Interview at 15:00")
    # media, when the simulator serves it
    if len(sys.argv) > 5 and sys.argv[5] == "media":
        upload = client.media.upload("file", ("cv.txt", io.BytesIO(b"curriculum vitae of Han Meimei")))
        result["upload"] = upload
        result["download"] = client.media.download(upload["media_id"]).content.decode("utf-8")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
