// Records the UA TCP chunks exchanged between the node-opcua client and a node-opcua server (server.js on SERVER_PORT)
// through a loopback proxy, for golden vectors. Usage: node capture.js SERVER_PORT OUT_FILE
// Each line of OUT_FILE is "C>S <hex>" or "S>C <hex>", one UA TCP chunk per line.
"use strict";
const fs = require("fs");
const path = require("path");
const { startRecordingProxy } = require("./recording-proxy");
const {
    OPCUAClient, OPCUACertificateManager, MessageSecurityMode, SecurityPolicy, AttributeIds, DataType,
    ClientSubscription, ClientMonitoredItem, TimestampsToReturn,
} = require("node-opcua");

async function main() {
    const serverPort = parseInt(process.argv[2], 10);
    const out = process.argv[3];
    const lines = [];
    const proxy = await startRecordingProxy(serverPort, lines);
    const endpointUrl = `opc.tcp://127.0.0.1:${proxy.address().port}`;
    const client = OPCUAClient.create({
        endpointMustExist: false, securityMode: MessageSecurityMode.None, securityPolicy: SecurityPolicy.None,
        connectionStrategy: { maxRetry: 0 }, clientCertificateManager: new OPCUACertificateManager({ rootFolder: path.join(__dirname, "pki-client") }),
    });
    await client.connect(endpointUrl);
    const session = await client.createSession();
    const ns = (await session.readNamespaceArray()).indexOf("urn:domioops:peer");
    await session.browse("ns=0;i=85");
    await session.read({ nodeId: `ns=${ns};s=Saw1.Speed`, attributeId: AttributeIds.Value });
    await session.write({ nodeId: `ns=${ns};s=Saw1.Speed`, attributeId: AttributeIds.Value, value: { value: { dataType: DataType.Double, value: 7.25 } } });
    const subscription = ClientSubscription.create(session, { requestedPublishingInterval: 100, requestedMaxKeepAliveCount: 10, requestedLifetimeCount: 100, publishingEnabled: true });
    const item = ClientMonitoredItem.create(subscription, { nodeId: `ns=${ns};s=Saw1.Speed`, attributeId: AttributeIds.Value }, { samplingInterval: 100, queueSize: 1, discardOldest: true }, TimestampsToReturn.Both);
    await new Promise((resolve) => item.once("changed", resolve));
    await subscription.terminate();
    await session.close();
    await client.disconnect();
    proxy.close();
    fs.writeFileSync(out, lines.join("\n") + "\n");
    console.log(`captured ${lines.length} chunks`);
    process.exit(0);
}

main().catch((err) => { console.error(err); process.exit(1); });
