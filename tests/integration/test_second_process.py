"""A response published by a process that never saw the request (as Condure's
examples printreq.py and sendresp.py do): the test's handler only reads the request from
PULL."""
import os
import subprocess
import sys

import pytest

from harness import HttpReader, connect
from zhttp_handler import stream_endpoints

SCRIPT = os.path.join(os.path.dirname(__file__), "send_response.py")


# Only where the server binds: the responder process connects its own PUB to the server's SUB.
@pytest.mark.parametrize("transport", ["ipc", "tcp"])
def test_response_from_another_process(make_stack, transport):
    stack = make_stack(transport, "bind")
    client = connect(stack.port)
    client.sendall(b"GET /hello HTTP/1.1\r\nHost: example.com\r\n\r\n")
    rid = stack.handler.recv_request()["id"]
    in_endpoint = stream_endpoints(stack.stream_base)[2]
    done = subprocess.run([sys.executable, SCRIPT, in_endpoint, "condure", rid.decode(),
                           "from elsewhere\n"], capture_output=True, timeout=15)
    assert done.returncode == 0, done.stderr
    assert HttpReader(client).read_response() == (b"HTTP/1.1 200 OK\r\n"
                                                  b"Content-Type: text/plain\r\n"
                                                  b"Content-Length: 15\r\n"
                                                  b"\r\n"
                                                  b"from elsewhere\n")
