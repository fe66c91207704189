// node-opcua client acknowledging an alarm condition on our OPC UA server (OPC 10000-9 §5.7.3), then asking for a
// ConditionRefresh (§5.5.7).
// Usage: node conditions-client.js ENDPOINT_URL NOTIFIER
// Monitors the EventNotifier of NOTIFIER with EventId, ConditionId, ConditionName, ActiveState.Id, AckedState.Id,
// Comment, EventType and Retain. Prints "subscribed" once the item exists; waits for an active unacknowledged alarm,
// acknowledges it with session.acknowledgeCondition, waits for the acknowledged state, acknowledges that event again
// (expects a Bad status), calls ConditionRefresh (i=3875 on ConditionType i=2782) with its SubscriptionId and collects
// the events up to the RefreshEndEvent (i=2788). Prints "RESULT <json>" and exits 0; any failure (or 30 s) exits 1.
"use strict";
const { fail, createPeerClient } = require("./peer-client");
const {
    AttributeIds, ClientSubscription, ClientMonitoredItem,
    TimestampsToReturn, constructEventFilter, DataType, StatusCodes,
} = require("node-opcua");

async function main() {
    const [endpointUrl, notifier] = process.argv.slice(2);
    const timer = setTimeout(() => fail("not done within 30 s"), 30000);
    const client = createPeerClient();
    await client.connect(endpointUrl);
    const session = await client.createSession();
    const filter = constructEventFilter(["EventId", "ConditionId", "ConditionName", "ActiveState.Id", "AckedState.Id", "Comment", "EventType", "Retain"]);
    const subscription = ClientSubscription.create(session, {
        requestedPublishingInterval: 50, requestedMaxKeepAliveCount: 20, requestedLifetimeCount: 200,
        maxNotificationsPerPublish: 0, publishingEnabled: true, priority: 0,
    });
    const item = ClientMonitoredItem.create(subscription, { nodeId: notifier, attributeId: AttributeIds.EventNotifier },
        { samplingInterval: 0, filter, queueSize: 100, discardOldest: false }, TimestampsToReturn.Both);
    const queue = [];
    let wake = null;
    item.on("changed", (values) => {
        const v = values.map((x) => x.value);
        queue.push({
            eventId: v[0], conditionId: v[1] ? v[1].toString() : null, conditionName: v[2], active: v[3], acked: v[4],
            comment: v[5] ? v[5].text : null, eventType: v[6] ? v[6].toString() : null, retain: v[7],
        });
        if (wake) wake();
    });
    async function next(predicate) {
        for (;;) {
            const index = queue.findIndex(predicate);
            if (index >= 0) return queue.splice(index, 1)[0];
            await new Promise((resolve) => { wake = resolve; });
        }
    }
    await new Promise((resolve, reject) => {
        item.once("initialized", resolve);
        item.once("err", (message) => reject(new Error(`monitored item: ${message}`)));
    });
    if (item.statusCode !== StatusCodes.Good) fail(`monitored item: ${item.statusCode.name}`);
    console.log("subscribed");

    const raised = await next((e) => e.active === true && e.acked === false);
    const ackStatus = await session.acknowledgeCondition(raised.conditionId, raised.eventId, "acknowledged by node-opcua");
    const acked = await next((e) => e.acked === true);
    const againStatus = await session.acknowledgeCondition(acked.conditionId, acked.eventId, "again");
    queue.length = 0;
    const refresh = await session.call({
        objectId: "i=2782", methodId: "i=3875",
        inputArguments: [{ dataType: DataType.UInt32, value: subscription.subscriptionId }],
    });
    const refreshed = [];
    for (;;) {
        const e = await next(() => true);
        refreshed.push({ eventType: e.eventType, conditionId: e.conditionId, acked: e.acked, active: e.active });
        if (e.eventType === "ns=0;i=2788") break;
    }
    clearTimeout(timer);
    await subscription.terminate();
    await session.close();
    await client.disconnect();
    const show = (e) => ({ ...e, eventId: e.eventId ? e.eventId.toString("hex") : null });
    console.log(`RESULT ${JSON.stringify({
        raised: show(raised), acked: show(acked), ackStatus: ackStatus.name, againStatus: againStatus.name,
        refreshStatus: refresh.statusCode.name, refreshed,
    })}`);
    process.exit(0);
}

main().catch((err) => fail(err && err.stack ? err.stack : String(err)));
