// A Node.js echo server on the `ws` package, the most used WebSocket server on npm: answers each
// text frame T with `Echo: T`, as the original FastAPI echo server does. `make bench` measures Switchboard's
// /ws/echo against it. Usage: node server.js PORT
'use strict';
const { WebSocketServer } = require('ws');

const port = Number(process.argv[2] || 4102);
const server = new WebSocketServer({ host: '127.0.0.1', port, path: '/ws' });
server.on('connection', (socket) => {
  socket.on('message', (data, isBinary) => {
    if (!isBinary) socket.send(`Echo: ${data}`);
  });
});
server.on('listening', () => console.log(`listening on 127.0.0.1:${port}`));
