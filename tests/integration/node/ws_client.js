#!/usr/bin/env node
// One WebSocket client scenario with the `ws` npm package, for the integration tests
// (test_websocket_node.py, test_websocket_compression.py).
//
// Usage: node ws_client.js [SCENARIO.json]   (without a file: the scenario on stdin)
//
// Reads a scenario as JSON, runs its steps in order and prints one JSON object on
// stdout: {"ok": bool, "failure": string|null, "events": [...]}, every event the socket emitted,
// in order. Exit status 0 when every step ran, 1 on a failed step or timeout, 2 on bad input.
//
// Scenario:
//   {"url": "ws://127.0.0.1:8000/ws",
//    "protocols": ["chat", "superchat"],         optional
//    "perMessageDeflate": false,                  false (default), true, or ws's options object
//    "wait_timeout_ms": 5000,                     bound on each "wait" step
//    "total_timeout_ms": 20000,                   bound on the whole scenario
//    "steps": [
//      {"op": "wait", "event": "open"},           next not yet awaited event of that name:
//                                                 open, upgrade, message, ping, pong, close,
//                                                 unexpected-response, error
//      {"op": "send", "text": "hi"},              a text message; "base64" instead: binary;
//                                                 "fin": false starts or continues a fragmented
//                                                 message (ws sends continuation frames);
//                                                 "compress": false sends it uncompressed
//      {"op": "ping", "text": "are you there"},   "text" or "base64" payload
//      {"op": "pong", "base64": ""},
//      {"op": "close", "code": 4001, "reason": "bye"}]}
//
// Events: {"event": "upgrade", "status", "headers"} (the 101's head), {"event": "open",
// "protocol", "extensions"}, {"event": "message", "binary": false, "text"} or {"event":
// "message", "binary": true, "base64"}, {"event": "ping"|"pong", "base64"}, {"event": "close",
// "code", "reason"}, {"event": "unexpected-response", "status", "headers", "body"},
// {"event": "error", "message"}.
'use strict';

const fs = require('fs');
const WebSocket = require('ws');

const HANDSHAKE_TIMEOUT_MS = 5000;
const DEFAULT_WAIT_TIMEOUT_MS = 5000;
const DEFAULT_TOTAL_TIMEOUT_MS = 20000;

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on('data', (chunk) => chunks.push(chunk));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

function payloadOf(step) {
  if (typeof step.base64 === 'string') return Buffer.from(step.base64, 'base64');
  if (typeof step.text === 'string') return step.text;
  return undefined;
}

// Records every event and lets steps wait for the next one of a name they have not seen yet.
class EventLog {
  constructor() {
    this.events = [];
    this.awaited = {}; // event name -> how many of them steps have waited for
    this.waiters = [];
  }

  add(event) {
    this.events.push(event);
    // WS_CLIENT_TRACE=1 shows events as they happen (the JSON comes only at the end).
    if (process.env.WS_CLIENT_TRACE) {
      process.stderr.write(`ws_client: ${JSON.stringify(event).slice(0, 300)}\n`);
    }
    const waiting = this.waiters;
    this.waiters = [];
    for (const wake of waiting) wake();
  }

  next(name, timeoutMs) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`timed out after ${timeoutMs} ms waiting for event '${name}'`));
      }, timeoutMs);
      const check = () => {
        const seen = this.awaited[name] || 0;
        const matching = this.events.filter((e) => e.event === name);
        if (matching.length > seen) {
          this.awaited[name] = seen + 1;
          clearTimeout(timer);
          resolve(matching[seen]);
        } else {
          this.waiters.push(check);
        }
      };
      check();
    });
  }
}

function connect(scenario, log) {
  const options = {
    perMessageDeflate: scenario.perMessageDeflate ?? false,
    handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
  };
  const ws = new WebSocket(scenario.url, scenario.protocols || [], options);
  ws.on('upgrade', (res) => {
    log.add({ event: 'upgrade', status: res.statusCode, headers: res.headers });
  });
  ws.on('open', () => log.add({ event: 'open', protocol: ws.protocol, extensions: ws.extensions }));
  ws.on('message', (data, isBinary) => {
    const body = Buffer.from(data); // binaryType 'nodebuffer': fragments already joined
    log.add(isBinary ? { event: 'message', binary: true, base64: body.toString('base64') }
                     : { event: 'message', binary: false, text: body.toString('utf8') });
  });
  ws.on('ping', (data) => log.add({ event: 'ping', base64: data.toString('base64') }));
  ws.on('pong', (data) => log.add({ event: 'pong', base64: data.toString('base64') }));
  ws.on('close', (code, reason) => {
    log.add({ event: 'close', code, reason: reason.toString('utf8') });
  });
  ws.on('error', (err) => log.add({ event: 'error', message: err.message }));
  // With this listener ws emits no error for a non-101 answer: read the body, then abort.
  ws.on('unexpected-response', (req, res) => {
    const chunks = [];
    res.on('data', (chunk) => chunks.push(chunk));
    res.on('end', () => {
      log.add({ event: 'unexpected-response', status: res.statusCode, headers: res.headers,
                body: Buffer.concat(chunks).toString('utf8') });
      req.destroy();
    });
  });
  return ws;
}

function send(ws, data, options) {
  return new Promise((resolve, reject) => {
    ws.send(data, options, (err) => (err ? reject(err) : resolve()));
  });
}

async function runStep(ws, log, step, waitTimeoutMs) {
  switch (step.op) {
    case 'wait':
      await log.next(step.event, step.timeout_ms || waitTimeoutMs);
      return;
    case 'send': {
      const data = payloadOf(step);
      if (data === undefined) throw new Error('a send step needs "text" or "base64"');
      const options = { binary: Buffer.isBuffer(data), fin: step.fin !== false };
      if (step.compress !== undefined) options.compress = step.compress;
      await send(ws, data, options);
      return;
    }
    case 'ping':
      ws.ping(payloadOf(step) ?? '');
      return;
    case 'pong':
      ws.pong(payloadOf(step) ?? '');
      return;
    case 'close':
      ws.close(step.code, step.reason);
      return;
    default:
      throw new Error(`unknown step ${JSON.stringify(step)}`);
  }
}

function finish(result, status) {
  process.stdout.write(JSON.stringify(result) + '\n', () => process.exit(status));
}

async function main() {
  let scenario;
  try {
    const file = process.argv[2];
    scenario = JSON.parse(file ? fs.readFileSync(file, 'utf8') : await readStdin());
  } catch (err) {
    finish({ ok: false, failure: `bad scenario: ${err.message}`, events: [] }, 2);
    return;
  }
  const log = new EventLog();
  const waitTimeoutMs = scenario.wait_timeout_ms || DEFAULT_WAIT_TIMEOUT_MS;
  const totalTimeoutMs = scenario.total_timeout_ms || DEFAULT_TOTAL_TIMEOUT_MS;
  const watchdog = setTimeout(() => {
    const failure = `scenario took over ${totalTimeoutMs} ms`;
    finish({ ok: false, failure, events: log.events }, 1);
  }, totalTimeoutMs);
  const ws = connect(scenario, log);
  let failure = null;
  for (const [index, step] of (scenario.steps || []).entries()) {
    try {
      await runStep(ws, log, step, waitTimeoutMs);
    } catch (err) {
      failure = `step ${index} ${JSON.stringify(step).slice(0, 200)}: ${err.message}`;
      break;
    }
  }
  clearTimeout(watchdog);
  ws.terminate();
  finish({ ok: failure === null, failure, events: log.events }, failure === null ? 0 : 1);
}

main();
