// Cancellation storm against zhyper.v1.Generator, as a Node user would write it with @grpc/grpc-js.
// Usage: node cancel-storm.js <host:port> <proto root> <rounds> <cutMaxTokens> [prompt] [ordinaryMaxTokens]
// (cut calls: the 30 ms deadline and the cancelled ones; ordinary calls: the others and the streams)
// Each round, on ONE channel: a Generate with a 30 ms deadline (and many tokens to decode) plus 4 ordinary
// Generate calls; then a GenerateStream started right after a Generate that the client cancels.
// Prints one JSON line: counts of ok/failed calls by kind and the distinct errors.
const grpc = require('@grpc/grpc-js');
const loader = require('@grpc/proto-loader');
const path = require('path');

const [target, protoRoot, roundsArg, longArg, longPromptArg, ordinaryArg] = process.argv.slice(2);
const ordinaryTokens = parseInt(ordinaryArg || '8', 10);
const longPrompt = longPromptArg || 'abc abc';
const rounds = parseInt(roundsArg || '20', 10);
const longTokens = parseInt(longArg || '200', 10);
const def = loader.loadSync(path.join(protoRoot, 'zhyper/v1/generator.proto'),
  { includeDirs: [protoRoot], keepCase: true, longs: String, defaults: true });
const Generator = grpc.loadPackageDefinition(def).zhyper.v1.Generator;
const client = new Generator(target, grpc.credentials.createInsecure());

const stats = { ordinaryOk: 0, ordinaryFailed: 0, deadlineExceeded: 0, deadlineOther: 0, cancelled: 0,
  streamOk: 0, streamFailed: 0, errors: {} };
const note = (e) => { const k = `${grpc.status[e.code] || e.code}: ${e.details}`; stats.errors[k] = (stats.errors[k] || 0) + 1; };

function unary(req, deadlineMs) {
  return new Promise((resolve) => {
    const opts = deadlineMs ? { deadline: new Date(Date.now() + deadlineMs) } : {};
    client.Generate(req, opts, (err, res) => resolve({ err, res }));
  });
}

function cancelledUnary(req, afterMs) {
  return new Promise((resolve) => {
    const call = client.Generate(req, (err, res) => resolve({ err, res }));
    setTimeout(() => call.cancel(), afterMs);
  });
}

function stream(req) {
  return new Promise((resolve) => {
    let text = '';
    let final = null;
    const call = client.GenerateStream(req);
    call.on('data', (c) => { if (c.text_delta) text += c.text_delta; if (c.final) final = c.final; });
    call.on('error', (err) => resolve({ err }));
    call.on('end', () => resolve({ text, final }));
  });
}

const long = (i) => ({ prompt: longPrompt, max_tokens: longTokens, request_id: `long-${i}` });
const short = (i, j) => ({ prompt: longPrompt, max_tokens: ordinaryTokens, request_id: `short-${i}-${j}` });

(async () => {
  for (let i = 0; i < rounds; i++) {
    const calls = [unary(long(i), 30)];
    for (let j = 0; j < 4; j++) calls.push(unary(short(i, j)));
    const [d, ...rest] = await Promise.all(calls);
    if (d.err && d.err.code === grpc.status.DEADLINE_EXCEEDED) stats.deadlineExceeded++;
    else { stats.deadlineOther++; if (d.err) note(d.err); }
    for (const r of rest) {
      if (r.err) { stats.ordinaryFailed++; note(r.err); } else stats.ordinaryOk++;
    }
    const c = cancelledUnary({ prompt: longPrompt, max_tokens: longTokens, request_id: `cancel-${i}` }, 20);
    await new Promise((r) => setTimeout(r, 25));
    const s = await stream({ prompt: longPrompt, max_tokens: ordinaryTokens, request_id: `stream-${i}` });
    if (s.err || !s.final) { stats.streamFailed++; if (s.err) note(s.err); } else stats.streamOk++;
    const cr = await c;
    if (cr.err && cr.err.code === grpc.status.CANCELLED) stats.cancelled++;
  }
  client.close();
  console.log(JSON.stringify(stats));
})().catch((e) => { console.error(e); process.exit(2); });
