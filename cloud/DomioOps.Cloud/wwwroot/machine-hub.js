// A minimal client of the ASP.NET Core SignalR JSON hub protocol over WebSockets (no negotiation):
// handshake {"protocol":"json","version":1}, records terminated by 0x1E, invocation type 1, ping type 6,
// close type 7. Reconnects with back-off and calls onConnected after every (re)connection.
"use strict";

class MachineHubConnection {
  constructor(path, handlers) {
    this.url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + path;
    this.handlers = handlers;
    this.delay = 500;
  }

  start() {
    const socket = new WebSocket(this.url);
    let pinger;
    socket.onopen = () => socket.send(JSON.stringify({ protocol: "json", version: 1 }) + "\x1e");
    socket.onmessage = (event) => {
      for (const record of String(event.data).split("\x1e")) {
        if (!record) continue;
        const message = JSON.parse(record);
        if (message.type === undefined) {
          if (message.error) { socket.close(); return; }
          this.delay = 500;
          pinger = setInterval(() => socket.send('{"type":6}\x1e'), 10000);
          this.handlers.onConnected?.();
        } else if (message.type === 1) {
          this.handlers[message.target]?.(...message.arguments);
        } else if (message.type === 7) {
          socket.close();
        }
      }
    };
    socket.onclose = () => {
      clearInterval(pinger);
      this.handlers.onDisconnected?.();
      setTimeout(() => this.start(), this.delay);
      this.delay = Math.min(this.delay * 2, 10000);
    };
  }
}
