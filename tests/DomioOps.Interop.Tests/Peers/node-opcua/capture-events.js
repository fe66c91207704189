// Records the UA TCP chunks of a node-opcua client subscribing to events of events-server.js (on SERVER_PORT) and
// calling its RaiseEvent method, through a loopback proxy, for golden vectors of EventFilter, CallMethodRequest,
// CallMethodResult and EventNotificationList. Usage: node capture-events.js SERVER_PORT OUT_FILE
// Each line of OUT_FILE is "C>S <hex>" or "S>C <hex>", one UA TCP chunk per line.
"use strict";
const net = require("net");
const fs = require("fs");
const path = require("path");
const {
    OPCUAClient, OPCUACertificateManager, MessageSecurityMode, SecurityPolicy, AttributeIds, DataType, ClientSubscription,
    ClientMonitoredItem, TimestampsToReturn, constructEventFilter, ContentFilterElement, FilterOperator, LiteralOperand, Variant, resolveNodeId,
} = require("node-opcua");

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

async function main() {
    const serverPort = parseInt(process.argv[2], 10);
    const out = process.argv[3];
    const lines = [];
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
