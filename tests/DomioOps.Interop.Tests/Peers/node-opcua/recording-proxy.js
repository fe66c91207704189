// The loopback proxy of the capture scripts: forwards a client's connection to a server and records every UA TCP
// chunk, "C>S <hex>" or "S>C <hex>", one chunk per line, for golden vectors.
"use strict";
const net = require("net");

function splitter(direction, lines) {
    let pending = Buffer.alloc(0);
    return (data) => {
        pending = Buffer.concat([pending, data]);
        while (pending.length >= 8) {
            const size = pending.readUInt32LE(4);
            if (pending.length < size) break;
            lines.push(`${direction} ${pending.subarray(0, size).toString("hex")}`);
            pending = pending.subarray(size);
        }
    };
}

/** Listens on a free loopback port, forwards to SERVER_PORT and appends each chunk to lines; resolves to the proxy. */
async function startRecordingProxy(serverPort, lines) {
    const proxy = net.createServer((inbound) => {
        const outbound = net.connect(serverPort, "127.0.0.1");
        const up = splitter("C>S", lines);
        const down = splitter("S>C", lines);
        inbound.on("data", (d) => { up(d); outbound.write(d); });
        outbound.on("data", (d) => { down(d); inbound.write(d); });
        inbound.on("close", () => outbound.destroy());
        outbound.on("close", () => inbound.destroy());
    });
    await new Promise((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    return proxy;
}

module.exports = { startRecordingProxy };
