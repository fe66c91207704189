// node-opcua client receiving events from our OPC UA server.
// Usage: node events-client.js ENDPOINT_URL NOTIFIER COUNT [OF_TYPE]
// Monitors the EventNotifier of NOTIFIER (e.g. i=2253, the Server object) with the select clauses EventId, EventType,
// SourceName, Message, Severity, Time and ConditionName, and with OF_TYPE a where clause OfType(OF_TYPE). Prints
// "subscribed" once the monitored item exists, waits for COUNT events, prints "RESULT <json>" and exits 0; any failure
// (or no events within 30 s) exits 1.
"use strict";
const { fail, createPeerClient } = require("./peer-client");
const {
    AttributeIds, ClientSubscription, ClientMonitoredItem,
    TimestampsToReturn, constructEventFilter, ContentFilterElement, FilterOperator, LiteralOperand, Variant, DataType, resolveNodeId, StatusCodes,
} = require("node-opcua");

async function main() {
    const [endpointUrl, notifier, countText, ofType] = process.argv.slice(2);
    const count = parseInt(countText, 10);
    const client = createPeerClient();
    await client.connect(endpointUrl);
    const session = await client.createSession();
    const fields = ["EventId", "EventType", "SourceName", "Message", "Severity", "Time", "ConditionName"];
    const where = ofType
        ? new ContentFilterElement({
            filterOperator: FilterOperator.OfType,
            filterOperands: [new LiteralOperand({ value: new Variant({ dataType: DataType.NodeId, value: resolveNodeId(ofType) }) })],
        })
        : undefined;
    const filter = constructEventFilter(fields, where);
    const subscription = ClientSubscription.create(session, {
        requestedPublishingInterval: 50, requestedMaxKeepAliveCount: 20, requestedLifetimeCount: 200,
        maxNotificationsPerPublish: 0, publishingEnabled: true, priority: 0,
    });
    const item = ClientMonitoredItem.create(subscription, { nodeId: notifier, attributeId: AttributeIds.EventNotifier },
        { samplingInterval: 0, filter, queueSize: 100, discardOldest: true }, TimestampsToReturn.Both);
    const events = [];
    const done = new Promise((resolve) => {
        item.on("changed", (values) => {
            const v = values.map((x) => x.value);
            events.push({
                eventIdLength: v[0] ? v[0].length : 0,
                eventType: v[1] ? v[1].toString() : null,
                sourceName: v[2],
                message: v[3] ? v[3].text : null,
                severity: v[4],
                time: v[5] ? v[5].toISOString() : null,
                conditionName: v[6],
            });
            if (events.length >= count) resolve();
        });
    });
    await new Promise((resolve, reject) => {
        item.once("initialized", resolve);
        item.once("err", (message) => reject(new Error(`monitored item: ${message}`)));
    });
    if (item.statusCode !== StatusCodes.Good) fail(`monitored item: ${item.statusCode.name}`);
    console.log("subscribed");
    const timer = setTimeout(() => fail(`only ${events.length} of ${count} events within 30 s`), 30000);
    await done;
    clearTimeout(timer);
    await subscription.terminate();
    await session.close();
    await client.disconnect();
    console.log(`RESULT ${JSON.stringify({ events })}`);
    process.exit(0);
}

main().catch((err) => fail(err && err.stack ? err.stack : String(err)));
