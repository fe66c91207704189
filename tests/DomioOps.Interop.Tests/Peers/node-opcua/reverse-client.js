// node-opcua client accepting a Reverse Connect (OPC 10000-6 §7.1.3) from our OPC UA server.
// Usage: node reverse-client.js PORT SERVER_URI NODE_ID
// Listens on opc.tcp://127.0.0.1:PORT (ClientReverseConnect), prints "listening PORT", waits for a server with
// ServerUri SERVER_URI to dial in with ReverseHello (client.connectReverse), opens a session over that connection, reads
// the Value of NODE_ID, prints "RESULT <json>" and exits 0; any failure (or 30 s) exits 1.
"use strict";
const { fail, createPeerClient } = require("./peer-client");
const { AttributeIds, ClientReverseConnect } = require("node-opcua");

async function main() {
    const [portText, serverUri, nodeId] = process.argv.slice(2);
    const timer = setTimeout(() => fail("no reverse connection within 30 s"), 30000);
    const listener = new ClientReverseConnect(`opc.tcp://127.0.0.1:${portText}`);
    await listener.start();
    console.log(`listening ${portText}`);
    const client = createPeerClient();
    await client.connectReverse(listener, { serverUri });
    const session = await client.createSession();
    const value = await session.read({ nodeId, attributeId: AttributeIds.Value });
    await session.close();
    await client.disconnect();
    await listener.stop();
    clearTimeout(timer);
    console.log(`RESULT ${JSON.stringify({ status: value.statusCode.name, value: value.value.value })}`);
    process.exit(0);
}

main().catch((err) => fail(err && err.stack ? err.stack : String(err)));
