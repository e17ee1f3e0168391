"""Checks admin API responses against api/admin.openapi.yaml.

    from openapi_schema import check_response
    check_response("/status", "GET", 200, json.loads(body), content_type=headers["Content-Type"])

Raises AssertionError when the spec does not document the status for that path and
method, or the body does not match the schema. A path the spec does not list must be a
404 (its NotFound response), a method it does not list a 405 (MethodNotAllowed), and the
HTTP layer's own refusals (400/413/414/431/501/505) fall back to HttpError, as the spec's
description says. `body` may be parsed JSON, a str (text/plain bodies), or None (HEAD, or
not checked). Uses Debian's python3-yaml and python3-jsonschema (deploy/install-deps.sh).
"""
import copy
import os

import jsonschema
import yaml

SPEC_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                         "..", "..", "..", "api", "admin.openapi.yaml")
HTTP_LAYER_STATUSES = {400, 413, 414, 431, 501, 505}

_spec = None
_json_schema_doc = None


def load_spec():
    global _spec
    if _spec is None:
        with open(SPEC_PATH, encoding="utf-8") as f:
            _spec = yaml.safe_load(f)
    return _spec


def to_json_schema(node):
    """OpenAPI 3.0 Schema Objects are JSON Schema draft 4 plus `nullable` (and a few
    annotations jsonschema ignores); rewrite `nullable: true` as a type union."""
    if isinstance(node, list):
        return [to_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: to_json_schema(v) for k, v in node.items() if k != "nullable"}
    if node.get("nullable") is True and "type" in node:
        out["type"] = [node["type"], "null"]
        if "enum" in out:
            out["enum"] = out["enum"] + [None]
    return out


def _document():
    global _json_schema_doc
    if _json_schema_doc is None:
        _json_schema_doc = to_json_schema(copy.deepcopy(load_spec()))
    return _json_schema_doc


def resolve(ref):
    assert ref.startswith("#/"), ref
    node = load_spec()
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _deref(node):
    while isinstance(node, dict) and "$ref" in node:
        node = resolve(node["$ref"])
    return node


def validate(schema, value):
    """Validates `value` against an OpenAPI schema (which may $ref the spec's components)."""
    resolver = jsonschema.RefResolver(base_uri="", referrer=_document())
    jsonschema.Draft4Validator(to_json_schema(schema), resolver=resolver).validate(value)


def find_response(path, method, status):
    """The spec's Response Object for this request, after the fallbacks above."""
    spec = load_spec()
    path = path.split("?", 1)[0]
    components = spec["components"]["responses"]
    item = spec["paths"].get(path)
    if item is None:
        assert status == 404, f"{path} is not in the spec, so it must be 404, not {status}"
        return components["NotFound"]
    operation = item.get(method.lower())
    if operation is None:
        assert status == 405, f"{method} {path} is not in the spec, so it must be 405, not {status}"
        return components["MethodNotAllowed"]
    response = operation["responses"].get(str(status))
    if response is None and status in HTTP_LAYER_STATUSES:
        return components["HttpError"]
    assert response is not None, f"{method} {path} does not document status {status}"
    return _deref(response)


def check_response(path, method, status, body=None, content_type=None, headers=None):
    """Asserts the response is one the spec documents; returns the Response Object."""
    response = find_response(path, method, status)
    content = response.get("content", {})
    if content_type is not None:
        if method.upper() == "HEAD":
            # A HEAD gets GET's headers; the HEAD operation documents statuses only.
            get_op = load_spec()["paths"].get(path.split("?", 1)[0], {}).get("get", {})
            get_response = _deref(get_op.get("responses", {}).get(str(status), {}))
            content = get_response.get("content", content)
        media = content_type.split(";", 1)[0].strip().lower()
        assert media in content, \
            f"{method} {path} {status}: Content-Type {content_type!r} is not one of {list(content)}"
    for name, header in response.get("headers", {}).items():
        if headers is None:
            break
        value = next((v for k, v in headers.items() if k.lower() == name.lower()), None)
        assert value is not None, f"{method} {path} {status}: header {name} missing"
        validate(_deref(header).get("schema", {}), value)
    if status == 405 and headers is not None and path.split("?", 1)[0] in load_spec()["paths"]:
        # Allow must list exactly the methods the path documents (RFC 9110 §10.2.1).
        listed = load_spec()["paths"][path.split("?", 1)[0]]
        expected = ", ".join(m.upper() for m in ("get", "head", "post") if m in listed)
        allow = next((v for k, v in headers.items() if k.lower() == "allow"), None)
        assert allow == expected, f"{method} {path} 405: Allow {allow!r}, the spec lists {expected!r}"
    if body is None:
        return response
    if isinstance(body, str):
        media = content.get("text/plain")
        assert media is not None, f"{method} {path} {status}: a text body, but the spec has {list(content)}"
    else:
        media = content.get("application/json")
        assert media is not None, f"{method} {path} {status}: a JSON body, but the spec has {list(content)}"
    validate(media.get("schema", {}), body)
    return response
