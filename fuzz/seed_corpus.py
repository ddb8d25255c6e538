#!/usr/bin/env python3
"""Writes the seed corpora in fuzz/corpus/<target>/ (standard library only).

    python3 fuzz/seed_corpus.py

Real shapes come from the captured fixtures (tests/data/fixtures/*.json:
the `request.body` of every SWML and SWAIG request) and the benchmark's
bodies (bench/bodies/); the rest are hand-written edge cases: repeated keys
at several depths, deep nesting, huge numbers, escapes, a second argument
set, tokens minted with the targets' fixed secret, right and wrong
signatures. Each corpus is replaced as a whole, so a file removed here
disappears from the corpus. libFuzzer's own finds go to fuzz/target/corpus/
(see run.sh), never here, so the committed corpora stay small.
"""

import base64
import glob
import hashlib
import hmac
import json
import os
import shutil

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")

# The fixed values of the targets (fuzz_targets/*.rs).
TOKEN_SECRET = b"0123456789abcdef0123456789abcdef"
CALL_ID = "3f8e2a6c-5b1d-4c7e-9a0f-2d4b6c8e1a3f"
NOW, TTL = 4_102_441_200, 3600
AUTH_USER, AUTH_PASSWORD = "fuzz-user", "p@ss:w/rd é"
SIGNING_KEY = b"fuzz-signing-key"


def fixture_bodies():
    """(name, path, body bytes) of every fixture request with a JSON body."""
    for path in sorted(glob.glob(os.path.join(ROOT, "tests/data/fixtures/*.json"))):
        with open(path, encoding="utf-8") as f:
            fixture = json.load(f)
        request = fixture.get("request") if isinstance(fixture, dict) else None
        if not isinstance(request, dict) or request.get("method") != "POST":
            continue
        body = request.get("body")
        if isinstance(body, str):
            if body.startswith("<"):  # a placeholder for a generated body
                continue
            data = body.encode()
        elif isinstance(body, dict):
            data = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
        else:
            continue
        name = os.path.splitext(os.path.basename(path))[0]
        yield name, request.get("path", ""), data


def bench_body(name):
    with open(os.path.join(ROOT, "bench", "bodies", name), "rb") as f:
        return f.read().strip()


def nested(depth, leaf="1"):
    return "[" * depth + leaf + "]" * depth


SWML_EDGES = {
    "empty_object": "{}",
    "whitespace_around": " \t\r\n{ \"call_id\" : \"a\" }\n",
    "top_call_id_wins": '{"call_id":"a","call":{"call_id":"b"}}',
    "empty_top_falls_back": '{"call_id":"","call":{"call_id":"b"}}',
    "non_string_ids": '{"call_id":7,"call":{"call_id":["x"]}}',
    "call_is_array": '{"call":[{"call_id":"b"}]}',
    "null_ids": '{"call_id":null,"call":{"call_id":null}}',
    "escaped_id": '{"call_id":"a\\u0062\\ud83d\\ude00\\n"}',
    "control_char_id": '{"call_id":"a\\u0000b"}',
    "long_id": '{"call_id":"' + "x" * 300 + '"}',
    "repeat_top": '{"call_id":"a","call_id":"b"}',
    "repeat_in_call": '{"call":{"call_id":"a","call_id":"b"}}',
    "repeat_deep_skipped": '{"vars":{"a":[{"b":{"c":1,"c":2}}]}}',
    "repeat_by_escape": '{"call_id":"a","call\\u005fid":"b"}',
    "repeat_after_16_keys": "{" + ",".join(f'"k{i}":{i}' for i in range(20)) + ',"k3":0}',
    "repeat_then_syntax_error": '{"a":1,"a":{',
    "huge_numbers": '{"a":1e400}',
    "big_numbers": '{"a":123456789012345678901234567890,"b":-0,"c":1.5e-400,"d":-9223372036854775809}',
    "deep_127": '{"a":' + nested(126) + "}",
    "deep_129": '{"a":' + nested(129) + "}",
    "not_an_object": '[{"call_id":"a"}]',
    "trailing_garbage": '{"call_id":"a"} x',
    "lone_surrogate": '{"call_id":"\\ud800"}',
    "bom": '\ufeff{"call_id":"a"}',
}

SWAIG_EDGES = {
    "minimal": '{"function":"get_balance","call_id":"c","argument":{"parsed":[{"account":"1000000001"}]}}',
    "second_argument_set": '{"function":"f","argument":{"parsed":[{"a":1},{"a":2}]}}',
    "empty_parsed_raw_fallback": '{"function":"f","argument":{"parsed":[],"raw":"{\\"a\\":2}"}}',
    "raw_not_json": '{"function":"f","argument":{"raw":"not json"}}',
    "raw_blank": '{"function":"f","argument":{"raw":" \\t "}}',
    "raw_repeat": '{"function":"f","argument":{"raw":"{\\"pin\\":\\"1\\",\\"pin\\":\\"2\\"}"}}',
    "raw_repeat_then_syntax_error": '{"function":"f","argument":{"raw":"{\\"a\\":1,\\"a\\":"}}',
    "repeat_in_arguments": '{"function":"f","argument":{"parsed":[{"to":"a","amount":1,"to":"b"}]}}',
    "repeat_in_substituted": '{"function":"f","argument":{"substituted":{"a":1,"a":1},"parsed":[{}]}}',
    "repeat_in_argument": '{"function":"f","argument":{"parsed":[1],"parsed":[2]}}',
    "repeat_in_global_data": '{"function":"f","global_data":{"role":"user","role":"admin"}}',
    "repeat_in_meta_array": '{"function":"f","meta_data":[{"k":1,"k":2}]}',
    "repeat_function": '{"function":"a","function":"b"}',
    "function_types": '{"function":{"a":[1,{"b":null}]},"call_id":5,"caller_id_name":null,"caller_id_num":true}',
    "argument_scalars": '{"function":"f","argument":"text","global_data":7,"meta_data":null}',
    "parsed_not_array": '{"function":"f","argument":{"parsed":{"a":1},"raw":"[2]"}}',
    "deep_arguments": '{"function":"f","argument":{"parsed":[' + nested(120) + "]}}",
    "huge_numbers": '{"function":"f","argument":{"parsed":[{"amount":1e308,"n":18446744073709551616}]}}',
    "escapes": '{"function":"f\\u0000","caller_id_name":"\\ud83d\\ude00","argument":{"parsed":[{"k\\"":"\\\\"}]}}',
    "extra_set_then_repeat": '{"function":"f","argument":{"parsed":[{},{},{"a":1,"a":2}]}}',
    # Only the syntax of the raw parts is read with the envelope: what
    # serde_json refuses in them is found when they are decoded.
    "out_of_range_in_global_data": '{"function":"f","global_data":{"n":1e999}}',
    "lone_surrogate_in_meta_data": '{"function":"f","meta_data":{"s":"\\udc00"}}',
    "repeat_before_out_of_range": '{"function":"f","argument":{"parsed":[{"n":1,"n":1e999}]}}',
}


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def mint(function, call_id, now, nonce, secret=TOKEN_SECRET):
    kid = hashlib.sha256(b"agent-runtime/kid/v1\0" + secret).digest()[:4].hex()
    call = b64url(hashlib.sha256(b"agent-runtime/call/v1\0" + call_id.encode()).digest()[:16])
    prefix = ".".join(["v1", kid, function, str(now + TTL), nonce.hex(), call])
    tag = b64url(hmac.new(secret, prefix.encode(), hashlib.sha256).digest())
    return prefix + "." + tag


def token_seeds():
    valid = mint("transfer_funds", CALL_ID, NOW, bytes.fromhex("a1b2c3d4e5f60718"))
    seeds = {
        "valid": valid,
        "other_function": mint("get_balance", CALL_ID, NOW, bytes(8)),
        "other_call": mint("transfer_funds", "another-call", NOW, bytes(8)),
        "expired": mint("transfer_funds", CALL_ID, NOW - 2 * TTL, bytes(8)),
        "other_key": mint("transfer_funds", CALL_ID, NOW, bytes(8), b"k" * 32),
        "tampered_tag": valid[:-1] + ("A" if valid[-1] != "A" else "B"),
        "leading_zero_expiry": valid.replace(".4102444800.", ".04102444800."),
        "max_expiry": valid.replace(".4102444800.", ".18446744073709551615."),
        "overflow_expiry": valid.replace(".4102444800.", ".18446744073709551616."),
        "extra_field": valid.replace("v1.", "v1.x.", 1),
        "uppercase_kid": valid.replace(valid.split(".")[1], valid.split(".")[1].upper()),
        "too_long": valid + "A" * 512,
        "empty": "",
        "dots": "......",
        "non_ascii": valid.replace("transfer", "tränsfer"),
    }
    # Legacy tokens of the other SDK, as the fixtures carry them.
    for name, path, _ in fixture_bodies():
        if "token=" in path:
            seeds["legacy_" + name] = path.split("token=", 1)[1]
    return {k: v.encode() for k, v in seeds.items()}


def auth_seeds():
    pair = f"{AUTH_USER}:{AUTH_PASSWORD}".encode()
    right = base64.b64encode(pair).decode()
    seeds = {
        "right": "Basic " + right,
        "right_padded": "Basic \t " + right + " \r\n",
        "lower_scheme": "basic " + right,
        "no_space": "Basic" + right,
        "unpadded": "Basic " + right.rstrip("="),
        "inner_space": "Basic " + right[:6] + " " + right[6:],
        "url_safe": "Basic " + base64.urlsafe_b64encode(pair).decode(),
        "wrong_password": "Basic " + base64.b64encode(f"{AUTH_USER}:wrong".encode()).decode(),
        "no_colon": "Basic " + base64.b64encode(AUTH_USER.encode()).decode(),
        "bearer": "Bearer abc",
        "empty": "",
        "not_base64": "Basic !!!",
        "too_long": "Basic " + "A" * 2000,
    }
    out = {k: v.encode() for k, v in seeds.items()}
    # Inputs for the built-header half of the target: user \0 password \0 pad.
    out["built_right"] = AUTH_USER.encode() + b"\0" + AUTH_PASSWORD.encode() + b"\0\x01"
    out["built_wrong"] = b"fuzz-user\0p@ss\0"
    return out


def signature_seeds():
    base = "https://agent.example.com"

    def sign(path, body, digest=hashlib.sha256, prefix=base):
        return hmac.new(SIGNING_KEY, (prefix + path).encode() + body, digest).hexdigest()

    path = "/swaig/?__token=abc"
    body = bench_body("swaig_get_balance.json")
    right = sign(path, body)
    right1 = sign(path, body, hashlib.sha1)
    seeds = {
        "right": (path, body, right),
        "right_sha1": (path, body, right1),
        "right_default_port": (path, body, sign(path, body, prefix=base + ":443")),
        "right_spaced": (path, body, " " + right + "\t"),
        "upper": (path, body, right.upper()),
        "wrong": (path, body, "0" * 64),
        "short": (path, body, right[:63]),
        "long": (path, body, right + "0"),
        "not_hex": (path, body, "z" * 64),
        "empty_everything": ("", b"", ""),
        "empty_body_right": ("/", b"", sign("/", b"")),
    }
    return {k: u.encode() + b"\0" + b + b"\0" + h.encode() for k, (u, b, h) in seeds.items()}


def query_seeds():
    token = mint("transfer_funds", CALL_ID, NOW, bytes(8))
    seeds = {
        "token": "__token=" + token,
        "token_and_others": "a=1&__token=" + token + "&b",
        "call_id": "call_id=" + CALL_ID,
        "call_id_encoded": "call_id=a%20b+c%E2%82%AC",
        "repeated_token": "__token=a&__token=b",
        "repeated_call_id": "call_id=a&x=1&call_id=a",
        "bad_utf8": "call_id=%ff%fe",
        "control": "call_id=%00%0a",
        "bare_name": "__token",
        "empty_value": "__token=&call_id=",
        "encoded_name": "%5F%5Ftoken=x&call%5Fid=y",
        "legacy_token": "token=abc",
        "separators": "&&=&==&",
        "truncated_escape": "call_id=%4",
        "long_call_id": "call_id=" + "x" * 300,
    }
    return {k: v.encode() for k, v in seeds.items()}


def write(target, seeds):
    folder = os.path.join(CORPUS, target)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    for name, data in sorted(seeds.items()):
        with open(os.path.join(folder, name), "wb") as f:
            f.write(data)
    return len(seeds), sum(len(d) for d in seeds.values())


def main():
    swml, swaig = {}, {}
    for name, path, body in fixture_bodies():
        if "/swaig" in path:
            swaig["fixture_" + name] = body
        elif "post_prompt" not in path:
            swml["fixture_" + name] = body
    swml["bench_swml_request"] = bench_body("swml_request.json")
    swaig["bench_get_balance"] = bench_body("swaig_get_balance.json")
    swaig["bench_transfer_funds"] = bench_body("swaig_transfer_funds.json")
    swml.update({k: v.encode() for k, v in SWML_EDGES.items()})
    swaig.update({k: v.encode() for k, v in SWAIG_EDGES.items()})
    for target, seeds in [
        ("swml_request", swml),
        ("swaig_envelope", swaig),
        ("token", token_seeds()),
        ("basic_auth", auth_seeds()),
        ("signature_header", signature_seeds()),
        ("query", query_seeds()),
    ]:
        count, size = write(target, seeds)
        print(f"{target:18} {count:3} files {size:7} bytes")


if __name__ == "__main__":
    main()
