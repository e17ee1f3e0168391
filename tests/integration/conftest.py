"""Fixtures: a running server under test wired to a step-by-step ZHTTP handler."""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
# Plain asserts in the helper modules should explain themselves like those in tests.
pytest.register_assert_rewrite("harness", "zhttp_handler")

import harness  # noqa: E402
from zhttp_handler import ReqHandler, StreamHandler  # noqa: E402

# (transport, who binds): the server binds by default; with --zclient-connect the handler does.
ZMQ_MODES = [("ipc", "bind"), ("ipc", "connect"), ("tcp", "bind"), ("tcp", "connect")]


class Stack:
    """A server process plus its handlers. `port` is the stream listener, `req_port` the req one."""

    def __init__(self, workdir, binary, transport="ipc", mode="bind", req=False, extra_args=(),
                 handler=True):
        """handler=False: no stream handler at all (nothing connected to the server's PUSH)."""
        self.workdir = str(workdir)
        self.binary = binary
        self.handler = None
        self.req_handler = None
        self.server = None
        self.extra_handlers = []
        self.ipc_dir = harness.IpcDir(self.workdir, "client-out-stream")
        if transport == "ipc":
            self.stream_base = f"ipc://{self.ipc_dir.path}/client"
            self.req_spec = f"ipc://{self.ipc_dir.path}/client-req"
        else:
            self.stream_base = f"tcp://127.0.0.1:{harness.free_port_block(3)}"
            self.req_spec = f"tcp://127.0.0.1:{harness.free_port()}"
        handler_binds = mode == "connect"
        self.port = harness.free_port()
        args = ["--listen", f"127.0.0.1:{self.port},stream",
                "--zclient-stream", self.stream_base, "--zclient-req", self.req_spec]
        ports = [self.port]
        if req:
            self.req_port = harness.free_port()
            args += ["--listen", f"127.0.0.1:{self.req_port},req"]
            ports.append(self.req_port)
        if handler_binds:
            args.append("--zclient-connect")
        args += list(extra_args)
        try:
            if handler:
                self.handler = StreamHandler(self.stream_base, bind=handler_binds, watch_router=True)
            if req:
                self.req_handler = ReqHandler(self.req_spec, bind=handler_binds)
            self.server = harness.ServerProcess(binary, args, self.workdir)
            self.server.wait_listening(ports)
            if self.handler is not None:
                self.handler.wait_subscribed()
                # Also wait for the ROUTER: the server drops what it sends to a handler
                # identity its ROUTER does not know yet ("Host unreachable").
                self.handler.wait_router_connected()
        except BaseException:
            self.close()
            raise

    def add_handler(self, identity, pull=False):
        """Another stream handler connected to the same server sockets (so the server must be
        the one binding), e.g. the target of a handoff; closed with the stack."""
        extra = StreamHandler(self.stream_base, bind=False, identity=identity, pull=pull,
                              watch_router=True)
        self.extra_handlers.append(extra)
        extra.wait_subscribed()
        extra.wait_router_connected()
        return extra

    def close(self):
        for handler in (self.handler, self.req_handler, *self.extra_handlers):
            if handler is not None:
                handler.close()
        if self.server is not None:
            self.server.stop()
            # Shown by pytest only when the test failed.
            print(f"---- {self.binary} {' '.join(self.server.args)}\n{self.server.log_text()}")
        self.ipc_dir.remove()


@pytest.fixture
def make_stack(tmp_path):
    """make_stack(transport="ipc", mode="bind", req=False, extra_args=()) -> Stack."""
    stacks = []

    def make(transport="ipc", mode="bind", binary=harness.SERVER_BIN, **kwargs):
        workdir = tmp_path / f"s{len(stacks)}"
        workdir.mkdir()
        stack = Stack(workdir, binary, transport, mode, **kwargs)
        stacks.append(stack)
        return stack

    yield make
    for stack in stacks:
        stack.close()


@pytest.fixture(params=ZMQ_MODES, ids=[f"{t}-{m}" for t, m in ZMQ_MODES])
def stack(request, make_stack):
    """A server with a stream listener, over each transport and bind/connect arrangement."""
    transport, mode = request.param
    return make_stack(transport, mode)


@pytest.fixture
def ipc_stack(make_stack):
    """A server over ipc with the server binding: for tests where the transport is not the point."""
    return make_stack("ipc", "bind")
