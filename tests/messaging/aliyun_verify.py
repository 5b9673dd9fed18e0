#!/usr/bin/env python3
"""Checks an Aliyun RPC request's signature as Aliyun does, independently of Banyan's code.

Usage: aliyun_verify.py <access key secret> <http method> < form-encoded body
Exit status 0 when the Signature parameter matches, 1 when it does not, 2 when it is missing.

The scheme (SignatureVersion 1.0, SignatureMethod HMAC-SHA1): every parameter but Signature,
sorted by name, each name and value percent-encoded per RFC 3986 (space %20, * %2A, ~ kept),
joined as a=1&b=2; the string to sign is METHOD&%2F&<that, percent-encoded again>; the signature
is base64(HMAC-SHA1(secret + "&", string to sign)).
"""
import base64
import hashlib
import hmac
import sys
import urllib.parse


def encode(text):
    return urllib.parse.quote(text, safe="~")


def main():
    secret, method = sys.argv[1], sys.argv[2]
    fields = urllib.parse.parse_qsl(sys.stdin.read(), keep_blank_values=True)
    given = [v for k, v in fields if k == "Signature"]
    if len(given) != 1:
        return 2
    params = sorted((k, v) for k, v in fields if k != "Signature")
    if dict(params).get("SignatureMethod") != "HMAC-SHA1":
        return 1
    canonical = "&".join(encode(k) + "=" + encode(v) for k, v in params)
    to_sign = method + "&" + encode("/") + "&" + encode(canonical)
    mac = hmac.new((secret + "&").encode(), to_sign.encode(), hashlib.sha1).digest()
    return 0 if hmac.compare_digest(base64.b64encode(mac).decode(), given[0]) else 1


if __name__ == "__main__":
    sys.exit(main())
