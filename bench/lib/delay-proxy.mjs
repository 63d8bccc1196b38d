#!/usr/bin/env node
// A loopback HTTP proxy that forwards each request after a fixed delay: network latency without a
// network. It runs in its own process, as a remote server would: in the measured process its HTTP
// work would share the event loop (and its CPU time would count) with the client being measured.
//
//   node bench/lib/delay-proxy.mjs <target-url> <delay-ms>   # prints its URL, serves until killed
import { spawn } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

/** Starts the proxy in a child process; resolves once it listens. */
export async function startDelayProxy(target, delayMs) {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), target, String(delayMs)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolve, reject) => {
    let output = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      output += chunk;
      if (output.includes('\n')) resolve(output.trim());
    });
    child.once('exit', (code) => reject(new Error(`delay proxy exited with ${code}`)));
  });
  return {
    url,
    pid: child.pid,
    close: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}

function serve(target, delayMs) {
  // Enough sockets for every request a benchmark may have in flight.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const server = http.createServer((request, response) => {
    setTimeout(() => {
      const upstream = http.request(
        `${target}${request.url}`,
        { method: request.method, headers: request.headers, agent },
        (answer) => {
          response.writeHead(answer.statusCode, answer.headers);
          answer.pipe(response);
        },
      );
      request.pipe(upstream);
    }, delayMs);
  });
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`http://127.0.0.1:${server.address().port}\n`);
  });
  process.on('SIGTERM', () => {
    agent.destroy();
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [target, delay] = process.argv.slice(2);
  if (!target || !(Number(delay) >= 0)) {
    console.error('usage: delay-proxy.mjs <target-url> <delay-ms>');
    process.exit(2);
  }
  serve(target, Number(delay));
}
