// Records the UA TCP chunks of a node-opcua client subscribing to events of events-server.js (on SERVER_PORT) and
// calling its RaiseEvent method, through a loopback proxy, for golden vectors of EventFilter, CallMethodRequest,
// CallMethodResult and EventNotificationList. Usage: node capture-events.js SERVER_PORT OUT_FILE
// Each line of OUT_FILE is "C>S <hex>" or "S>C <hex>", one UA TCP chunk per line.
"use strict";
const fs = require("fs");
const path = require("path");
const { startRecordingProxy } = require("./recording-proxy");
const {
    OPCUAClient, OPCUACertificateManager, MessageSecurityMode, SecurityPolicy, AttributeIds, DataType, ClientSubscription,
    ClientMonitoredItem, TimestampsToReturn, constructEventFilter, ContentFilterElement, FilterOperator, LiteralOperand, Variant, resolveNodeId,
} = require("node-opcua");

async function main() {
    const serverPort = parseInt(process.argv[2], 10);
    const out = process.argv[3];
    const lines = [];
    const proxy = await startRecordingProxy(serverPort, lines);
    const client = OPCUAClient.create({
        endpointMustExist: false, securityMode: MessageSecurityMode.None, securityPolicy: SecurityPolicy.None,
        connectionStrategy: { maxRetry: 0 }, clientCertificateManager: new OPCUACertificateManager({ rootFolder: path.join(__dirname, "pki-client") }),
    });
    await client.connect(`opc.tcp://127.0.0.1:${proxy.address().port}`);
    const session = await client.createSession();
    const ns = (await session.readNamespaceArray()).indexOf("urn:domioops:peer");
    const saw = `ns=${ns};s=Saw1`;
    const where = new ContentFilterElement({
        filterOperator: FilterOperator.OfType,
        filterOperands: [new LiteralOperand({ value: new Variant({ dataType: DataType.NodeId, value: resolveNodeId("i=2130") }) })],
    });
    const filter = constructEventFilter(["EventType", "SourceName", "Message", "Severity"], where);
    const subscription = ClientSubscription.create(session, { requestedPublishingInterval: 100, requestedMaxKeepAliveCount: 10, requestedLifetimeCount: 100, publishingEnabled: true });
    const item = ClientMonitoredItem.create(subscription, { nodeId: saw, attributeId: AttributeIds.EventNotifier }, { samplingInterval: 0, filter, queueSize: 10, discardOldest: true }, TimestampsToReturn.Both);
    await new Promise((resolve) => item.once("initialized", resolve));
    const received = new Promise((resolve) => item.once("changed", resolve));
    await session.call({
        objectId: saw, methodId: `ns=${ns};s=Saw1.RaiseEvent`,
        inputArguments: [{ dataType: DataType.String, value: "Blade worn" }, { dataType: DataType.UInt16, value: 700 }, { dataType: DataType.Boolean, value: true }],
    });
    await received;
    await subscription.terminate();
    await session.close();
    await client.disconnect();
    proxy.close();
    fs.writeFileSync(out, lines.join("\n") + "\n");
    console.log(`captured ${lines.length} chunks`);
    process.exit(0);
}

main().catch((err) => { console.error(err); process.exit(1); });
