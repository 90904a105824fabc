#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write a gzip member with the header fields the gzip command cannot write.

usage: make_gzip_fields.py IN OUT [flags]

flags is a string of letters: x = FEXTRA (two subfields), n = FNAME,
c = FCOMMENT, h = FHCRC, t = FTEXT. The header is built by hand (RFC 1952
section 2.3) and the body is raw deflate from Python's zlib, so the member
does not come from the code under test. Appends to OUT, so several calls
make a multi-member file.
"""
import struct
import sys
import zlib


def member(data: bytes, flags: str) -> bytes:
    flg = 0
    fields = b""
    if "t" in flags:
        flg |= 0x01
    if "x" in flags:
        flg |= 0x04
        sub = b"AP" + struct.pack("<H", 5) + b"hello" + b"WD" + struct.pack("<H", 0)
        fields += struct.pack("<H", len(sub)) + sub
    if "n" in flags:
        flg |= 0x08
        fields += b"interop-name.txt\x00"
    if "c" in flags:
        flg |= 0x10
        fields += b"a comment written by make_gzip_fields.py\x00"
    if "h" in flags:
        flg |= 0x02
    head = struct.pack("<BBBBIBB", 0x1F, 0x8B, 8, flg, 1700000000, 0, 3) + fields
    if "h" in flags:
        head += struct.pack("<H", zlib.crc32(head) & 0xFFFF)
    comp = zlib.compressobj(6, zlib.DEFLATED, -15)
    body = comp.compress(data) + comp.flush()
    trailer = struct.pack("<II", zlib.crc32(data) & 0xFFFFFFFF, len(data) & 0xFFFFFFFF)
    return head + body + trailer


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1], "rb") as f:
        data = f.read()
    flags = sys.argv[3] if len(sys.argv) > 3 else "xnch"
    with open(sys.argv[2], "ab") as f:
        f.write(member(data, flags))
    return 0


if __name__ == "__main__":
    sys.exit(main())
