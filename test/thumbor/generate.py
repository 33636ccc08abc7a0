"""Prints the URLs libthumbor (Debian's python3-libthumbor) makes for test/thumbor/cases.json.

Run with Debian's /usr/bin/python3: `npm run thumbor:urls` rewrites
test/thumbor/libthumbor-urls.json, and the Node suite fails when that file
differs from what libthumbor makes now.
"""
import json
import pathlib
import sys

from libthumbor import CryptoURL

here = pathlib.Path(__file__).parent
table = json.loads((here / "cases.json").read_text())
crypto = CryptoURL(key=table["securityKey"])


def url_for(case):
    # A case may name its own image, e.g. a key with non-ASCII characters, written raw as libthumbor users do.
    options = dict(case["options"], image_url=case.get("image", table["image"]))
    if "crop" in options:
        options["crop"] = tuple(tuple(corner) for corner in options["crop"])
    url = crypto.generate(**options)
    # libthumbor writes unsafe URLs without their leading slash.
    return url if url.startswith("/") else "/" + url


json.dump([{"name": case["name"], "url": url_for(case)} for case in table["cases"]], sys.stdout, indent=2, ensure_ascii=False)
sys.stdout.write("\n")
