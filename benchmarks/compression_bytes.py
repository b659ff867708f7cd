"""How many bytes does a phone download for a lesson page and the stylesheet, plain, gzip and
Brotli? Through the app (test client, a fresh SQLite database in a temporary folder), with
the Accept-Encoding a browser sends.

    python benchmarks/compression_bytes.py [--path /courses/ai-basics/what-is-ai/]
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ENCODINGS = (("plain", "identity"), ("gzip", "gzip"), ("Brotli", "gzip, deflate, br"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", default="/courses/ai-basics/what-is-ai/")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lms-compression-") as tmp:
        os.environ.update(LMS_INSTANCE_DIR=tmp, LMS_SECRET_KEY="bench")
        os.environ.pop("LMS_DATABASE_URL", None)
        from lms import create_app

        client = create_app({"LMS_AUTO_MIGRATE": True}).test_client()
        stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+)"',
                               client.get(args.path).get_data(as_text=True)).group(1)
        for what, path in (("lesson page", args.path), ("stylesheet", stylesheet)):
            plain = None
            for name, accept in ENCODINGS:
                headers = {"Accept-Encoding": accept}
                response = client.get(path, headers=headers)
                size = len(response.get_data())
                encoding = response.headers.get("Content-Encoding", "none")
                response.close()
                plain = plain or size
                print(f"{what:<12} {path}: {name:<6} {size:>6,} bytes ({size / plain:.0%}), "
                      f"Content-Encoding: {encoding}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
