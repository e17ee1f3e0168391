"""Validates api/admin.openapi.yaml: OpenAPI 3.0.3 structure (Debian 12 has no
openapi-spec-validator, so the rules that matter are checked here), every $ref resolves,
every schema is valid JSON Schema (draft 4, the base of OpenAPI 3.0's Schema Object),
every example matches its schema, and the paths and methods are the router's."""
import re
import sys

import jsonschema

import openapi_schema

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
PATH_ITEM_KEYS = HTTP_METHODS | {"summary", "description", "servers", "parameters", "$ref"}
OPERATION_KEYS = {"tags", "summary", "description", "externalDocs", "operationId", "parameters",
                  "requestBody", "responses", "callbacks", "deprecated", "security", "servers"}
SCHEMA_KEYS = {"title", "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum",
               "maxLength", "minLength", "pattern", "maxItems", "minItems", "uniqueItems",
               "maxProperties", "minProperties", "required", "enum", "type", "allOf", "oneOf",
               "anyOf", "not", "items", "properties", "additionalProperties", "description",
               "format", "default", "nullable", "discriminator", "readOnly", "writeOnly", "xml",
               "externalDocs", "example", "deprecated", "$ref"}

# What AdminRouter serves (pkg/admin/admin_router.cpp).
READ_PATHS = {"/livez", "/readyz", "/status", "/connections", "/metrics"}
MUTATING_PATHS = {"/drain", "/drain/cancel", "/log-level", "/quit", "/handoff"}

errors = []


def check(condition, message):
    if not condition:
        errors.append(message)


def walk(node, where, visit):
    visit(node, where)
    if isinstance(node, dict):
        for k, v in node.items():
            walk(v, f"{where}/{k}", visit)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            walk(v, f"{where}/{i}", visit)


def check_refs(spec):
    def visit(node, where):
        if isinstance(node, dict) and "$ref" in node:
            try:
                openapi_schema.resolve(node["$ref"])
            except (KeyError, AssertionError):
                errors.append(f"{where}: $ref {node['$ref']} does not resolve")
    walk(spec, "#", visit)


def check_schema(schema, where):
    """A Schema Object: only OpenAPI 3.0 keywords, one `type` string, valid draft 4."""
    def visit(node, path):
        if not isinstance(node, dict):
            return
        # Inside `properties` the keys are property names, not keywords.
        if path.rsplit("/", 1)[-1] == "properties":
            return
        for key in node:
            check(key in SCHEMA_KEYS or key.startswith("x-"), f"{path}: not a schema keyword: {key}")
        if "type" in node:
            check(isinstance(node["type"], str), f"{path}: type must be one string in OpenAPI 3.0")
        if "$ref" in node:
            check(set(node) == {"$ref"}, f"{path}: siblings of $ref are ignored in OpenAPI 3.0")
        if "nullable" in node:
            check("type" in node, f"{path}: nullable without type")
        if "required" in node and "properties" in node:
            for name in node["required"]:
                check(name in node["properties"], f"{path}: required {name} is not a property")
    walk(schema, where, visit)
    try:
        jsonschema.Draft4Validator.check_schema(openapi_schema.to_json_schema(schema))
    except jsonschema.SchemaError as e:
        errors.append(f"{where}: {e.message}")


def check_media(media, where):
    check("schema" in media, f"{where}: no schema")
    check_schema(media.get("schema", {}), f"{where}/schema")
    if "example" in media:
        try:
            openapi_schema.validate(media["schema"], media["example"])
        except jsonschema.ValidationError as e:
            errors.append(f"{where}/example: {e.message}")


def check_response_object(response, where):
    if "$ref" in response:
        return
    check(isinstance(response.get("description"), str), f"{where}: description is required")
    for media_type, media in response.get("content", {}).items():
        check(re.fullmatch(r"[a-z]+/[a-z0-9.+-]+", media_type) is not None, f"{where}: media type {media_type}")
        check_media(media, f"{where}/content/{media_type}")
    for name, header in response.get("headers", {}).items():
        check("schema" in header, f"{where}/headers/{name}: no schema")


def check_operations(spec):
    schemes = spec.get("components", {}).get("securitySchemes", {})
    operation_ids = set()
    for path, item in spec["paths"].items():
        check(path.startswith("/"), f"path {path} must start with /")
        for key in item:
            check(key in PATH_ITEM_KEYS or key.startswith("x-"), f"{path}: unknown key {key}")
        for method, op in item.items():
            if method not in HTTP_METHODS:
                continue
            where = f"{method.upper()} {path}"
            for key in op:
                check(key in OPERATION_KEYS or key.startswith("x-"), f"{where}: unknown key {key}")
            op_id = op.get("operationId")
            check(isinstance(op_id, str) and op_id not in operation_ids, f"{where}: operationId missing or repeated")
            operation_ids.add(op_id)
            responses = op.get("responses", {})
            check(responses, f"{where}: no responses")
            for status, response in responses.items():
                check(isinstance(status, str) and re.fullmatch(r"[1-5][0-9X]{2}|default", status) is not None,
                      f"{where}: response key {status!r} must be a quoted status code")
                check_response_object(response, f"{where}/{status}")
            if "requestBody" in op:
                for media_type, media in op["requestBody"].get("content", {}).items():
                    check_media(media, f"{where}/requestBody/{media_type}")
            for requirement in op.get("security", []):
                for name in requirement:
                    check(name in schemes, f"{where}: security scheme {name} is not defined")


def check_router_table(spec):
    paths = spec["paths"]
    check(set(paths) == READ_PATHS | MUTATING_PATHS, f"paths {sorted(paths)} differ from the router's")
    for path in READ_PATHS & set(paths):
        methods = {m for m in paths[path] if m in HTTP_METHODS}
        check(methods == {"get", "head"}, f"{path}: methods {methods}, the router serves GET and HEAD")
        check("security" not in paths[path]["get"], f"{path}: reads are open")
    for path in MUTATING_PATHS & set(paths):
        methods = {m for m in paths[path] if m in HTTP_METHODS}
        check(methods == {"post"}, f"{path}: methods {methods}, the router serves POST only")
        op = paths[path].get("post", {})
        check(op.get("security") == [{}, {"bearerAuth": []}], f"{path}: security must be [{{}}, bearerAuth]")
        for status in ("401", "403"):
            check(status in op.get("responses", {}), f"POST {path}: no {status}")
    scheme = spec["components"]["securitySchemes"].get("bearerAuth", {})
    check(scheme.get("type") == "http" and scheme.get("scheme") == "bearer", "bearerAuth must be http bearer")
    for name in ("NotFound", "MethodNotAllowed", "HttpError"):
        check(name in spec["components"]["responses"], f"components/responses/{name} missing")
    check("Allow" in spec["components"]["responses"].get("MethodNotAllowed", {}).get("headers", {}),
          "MethodNotAllowed must document Allow")


def main():
    spec = openapi_schema.load_spec()
    check(spec.get("openapi") == "3.0.3", "openapi must be 3.0.3")
    info = spec.get("info", {})
    check(isinstance(info.get("title"), str) and isinstance(info.get("version"), str), "info needs title and version")
    check(isinstance(spec.get("paths"), dict) and spec["paths"], "paths missing")
    check_refs(spec)
    for name, schema in spec.get("components", {}).get("schemas", {}).items():
        check_schema(schema, f"#/components/schemas/{name}")
    for name, response in spec.get("components", {}).get("responses", {}).items():
        check_response_object(response, f"#/components/responses/{name}")
    check_operations(spec)
    check_router_table(spec)
    if errors:
        print("\n".join(errors))
        sys.exit(1)
    print(f"ok: {len(spec['paths'])} paths, {len(spec['components']['schemas'])} schemas")


if __name__ == "__main__":
    main()
