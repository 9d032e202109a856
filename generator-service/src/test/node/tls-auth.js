// A @grpc/grpc-js client over TLS, as a Node user writes it: the CA's PEM as root certificate, the bearer token as
// call metadata. Usage: node tls-auth.js <host:port> <proto root> <ca.pem> <token>
// Prints one JSON line: the answer with the token, and the status codes without a token and with a wrong one.
const grpc = require('@grpc/grpc-js');
const loader = require('@grpc/proto-loader');
const fs = require('fs');
const path = require('path');

const [target, protoRoot, caFile, token] = process.argv.slice(2);
const def = loader.loadSync(path.join(protoRoot, 'zhyper/v1/generator.proto'),
  { includeDirs: [protoRoot], keepCase: true, longs: String, defaults: true });
const Generator = grpc.loadPackageDefinition(def).zhyper.v1.Generator;
const client = new Generator(target, grpc.credentials.createSsl(fs.readFileSync(caFile)));

function call(auth) {
  return new Promise((resolve) => {
    const md = new grpc.Metadata();
    if (auth) md.set('authorization', 'Bearer ' + auth);
    client.Generate({ prompt: 'abc', max_tokens: 4, request_id: 'tls-' + (auth || 'none') }, md,
      { deadline: new Date(Date.now() + 60000) }, (err, res) => resolve({ err, res }));
  });
}

(async () => {
  const ok = await call(token);
  const none = await call(null);
  const wrong = await call('not-' + token);
  console.log(JSON.stringify({
    ok: !ok.err, okError: ok.err ? `${grpc.status[ok.err.code]}: ${ok.err.details}` : null,
    requestId: ok.res ? ok.res.request_id : null,
    noToken: none.err ? grpc.status[none.err.code] : 'OK',
    wrongToken: wrong.err ? grpc.status[wrong.err.code] : 'OK',
  }));
  client.close();
})();
