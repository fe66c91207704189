// Live machine counts over SignalR: the client reconnects by itself, and when it gives up a loop starts it again,
// so the counts resume when the network returns. The terminal's cookie admits it to its own machines only.
import { HubConnectionBuilder, LogLevel } from '@microsoft/signalr';

export function createLive({ machineChanged, connected, state }) {
  let connection = null, wanted = false, timer = null, attempt = 0;

  function build() {
    connection = new HubConnectionBuilder()
      .withUrl('/hubs/machines')
      .withAutomaticReconnect()
      .configureLogging(LogLevel.None)
      .build();
    connection.on('MachineChanged', machineChanged);
    connection.onreconnecting(() => state('reconnecting'));
    connection.onreconnected(async () => {
      attempt = 0;
      await joined();
      state('connected');
      connected();
    });
    connection.onclose(() => { state('disconnected'); if (wanted) later(); });
  }

  // The start ends at the handshake, before the server has added the connection to its machines' groups; once
  // 'Joined' answers it has, so the counts read after it miss no change.
  function joined() {
    return connection.invoke('Joined').catch(() => {});
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(start, Math.min(30_000, 2000 * 2 ** Math.min(attempt++, 4)));
  }

  async function start() {
    clearTimeout(timer);
    timer = null;
    if (!wanted) return;
    if (!connection) build();
    if (connection.state !== 'Disconnected') return;
    try {
      await connection.start();
      await joined();
      attempt = 0;
      state('connected');
      connected();
    } catch {
      state('disconnected');
      later();
    }
  }

  return {
    start() { wanted = true; return start(); },
    stop() { wanted = false; clearTimeout(timer); return connection ? connection.stop() : Promise.resolve(); },
    /** The network is back: try at once. */
    now() { if (wanted && connection && connection.state === 'Disconnected') { attempt = 0; start(); } },
  };
}
