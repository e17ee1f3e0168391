"""tnetstring encode/decode, just enough for ZHTTP.

A value is `<decimal length>:<payload><type>`; types: `,` bytes, `#` int,
`^` float, `!` bool, `~` null, `]` list, `}` map.

Python mapping used by the tests:
  bytes <-> `,`   (str is encoded as UTF-8 on the way out)
  int <-> `#`, float <-> `^`, bool <-> `!`, None <-> `~`
  list <-> `]`, dict <-> `}`  (map keys decode to str: ZHTTP keys are text)
"""


def dumps(value):
    if isinstance(value, bool):  # before int: bool is an int subclass
        return _frame(b"true" if value else b"false", b"!")
    if isinstance(value, int):
        return _frame(str(value).encode(), b"#")
    if isinstance(value, float):
        return _frame(repr(value).encode(), b"^")
    if isinstance(value, str):
        return _frame(value.encode(), b",")
    if isinstance(value, (bytes, bytearray)):
        return _frame(bytes(value), b",")
    if value is None:
        return _frame(b"", b"~")
    if isinstance(value, (list, tuple)):
        return _frame(b"".join(dumps(v) for v in value), b"]")
    if isinstance(value, dict):
        payload = b"".join(dumps(k) + dumps(v) for k, v in value.items())
        return _frame(payload, b"}")
    raise TypeError(f"cannot encode {type(value).__name__} as tnetstring")


def loads(data):
    value, rest = _parse(bytes(data))
    if rest:
        raise ValueError(f"{len(rest)} trailing bytes after tnetstring")
    return value


def _frame(payload, type_char):
    return str(len(payload)).encode() + b":" + payload + type_char


def _parse(data):
    colon = data.index(b":")
    size = int(data[:colon])
    start = colon + 1
    payload = data[start:start + size]
    type_char = data[start + size:start + size + 1]
    rest = data[start + size + 1:]
    if len(payload) != size or not type_char:
        raise ValueError("truncated tnetstring")
    if type_char == b",":
        return payload, rest
    if type_char == b"#":
        return int(payload), rest
    if type_char == b"^":
        return float(payload), rest
    if type_char == b"!":
        if payload not in (b"true", b"false"):
            raise ValueError(f"bad boolean {payload!r}")
        return payload == b"true", rest
    if type_char == b"~":
        return None, rest
    if type_char == b"]":
        items = []
        while payload:
            item, payload = _parse(payload)
            items.append(item)
        return items, rest
    if type_char == b"}":
        result = {}
        while payload:
            key, payload = _parse(payload)
            value, payload = _parse(payload)
            result[key.decode()] = value
        return result, rest
    raise ValueError(f"unknown tnetstring type {type_char!r}")
