// Measures two versions of a tiny HTTP service on loopback and writes their metrics as JSON for the
// file-metrics plugin. The candidate can be made slower (CANDIDATE_DELAY_MS) or failing
// (CANDIDATE_ERROR_RATE, every Nth request) to see an SLO fail.
import http from 'node:http';
import { writeFile } from 'node:fs/promises';

const output = process.argv[2];
const requests = Number(process.env.REQUESTS ?? 200);
const delayMs = Number(process.env.CANDIDATE_DELAY_MS ?? 0);
const errorRate = Number(process.env.CANDIDATE_ERROR_RATE ?? 0);

let candidateCount = 0;
const server = http.createServer((request, response) => {
  const reply = (status) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ predictions: [1, 1] }));
  };
  if (request.url === '/candidate') {
    candidateCount++;
    const fail = errorRate > 0 && candidateCount % Math.max(1, Math.round(1 / errorRate)) === 0;
    setTimeout(() => reply(fail ? 500 : 200), delayMs);
  } else {
    reply(200);
  }
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address();
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function send(path) {
  const started = process.hrtime.bigint();
  return new Promise((resolve) => {
    const request = http.request({ host: '127.0.0.1', port, path, method: 'POST', agent }, (response) => {
      response.resume();
      response.on('end', () =>
        resolve({ ok: response.statusCode < 400, ms: Number(process.hrtime.bigint() - started) / 1e6 }),
      );
    });
    request.on('error', () => resolve({ ok: false, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
    request.end('{"instances": [[6.8, 2.8, 4.8, 1.4], [6.0, 3.4, 4.5, 1.6]]}');
  });
}

function percentile(sorted, p) {
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

const versions = [];
for (const path of ['/baseline', '/candidate']) {
  const results = [];
  for (let i = 0; i < requests; i++) results.push(await send(path));
  const latencies = results.map((r) => r.ms).sort((a, b) => a - b);
  versions.push({
    'request-count': results.length,
    'error-count': results.filter((r) => !r.ok).length,
    'latency-mean': latencies.reduce((sum, ms) => sum + ms, 0) / latencies.length,
    'latency-p90': percentile(latencies, 90),
  });
}
agent.destroy();
server.close();
await writeFile(output, JSON.stringify({ versions }, null, 2));
