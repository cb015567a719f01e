"""Write the API's OpenAPI document to docs/openapi.json (stable: sorted keys, 2-space indent).

    python -m server.openapi             # writes docs/openapi.json
    python -m server.openapi --check     # exit 1 when docs/openapi.json is out of date

tests/test_server_openapi.py fails when the served /openapi.json and the committed file differ.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

__all__ = ["DOC_PATH", "main", "render"]

DOC_PATH = Path(__file__).resolve().parent.parent / "docs" / "openapi.json"


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    from .app import openapi_document

    parser = argparse.ArgumentParser(prog="python -m server.openapi")
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    parser.add_argument("--out", type=Path, default=DOC_PATH)
    args = parser.parse_args(argv)
    text = render(openapi_document())
    if args.check:
        current = args.out.read_text("utf-8") if args.out.exists() else ""
        if current != text:
            print(f"{args.out} is out of date: run python -m server.openapi", file=sys.stderr)
            return 1
        return 0
    args.out.write_text(text, "utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
