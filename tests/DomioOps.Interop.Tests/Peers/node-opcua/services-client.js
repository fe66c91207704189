// node-opcua client exercising the less common services of our OPC UA server.
// Usage: node services-client.js ENDPOINT_URL
// Expects namespace urn:domioops:test with Objects/Machines/Saw1/{Profile (Int32[10] 0..9), Program (String "Walnut")}
// and Objects/Tags/Tag0..Tag2 (Int32, writable). Does RegisterNodes/UnregisterNodes, Read and Write with IndexRange,
// SetMonitoringMode and SetTriggering (a Sampling item reported with its trigger), and TransferSubscriptions of the
// subscription to a second session. Prints one line "RESULT <json>" and exits 0; any failure exits 1 with the reason.
"use strict";
const {
    OPCUAClient, AttributeIds, DataType, VariantArrayType, ClientSubscription, ClientMonitoredItem, TimestampsToReturn, MonitoringMode,
} = require("node-opcua");

function fail(message) {
    console.error(`FAIL ${message}`);
    process.exit(1);
}

function withTimeout(promise, what) {
    return Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out: ${what}`)), 20000))]);
}

async function main() {
    const endpointUrl = process.argv[2];
    const options = { applicationName: "DomioOpsServicesClient", endpointMustExist: false, connectionStrategy: { maxRetry: 0, initialDelay: 100 }, requestedSessionTimeout: 30000 };
    const client = OPCUAClient.create(options);
    await client.connect(endpointUrl);
    const session = await client.createSession();
    const result = {};
    const ns = (await session.readNamespaceArray()).indexOf("urn:domioops:test");
    if (ns < 0) fail("namespace missing");

    const registered = await session.registerNodes([`ns=${ns};s=Saw1.Profile`, `ns=${ns};s=Saw1.Program`]);
    result.registered = registered.map((n) => n.toString());
    const read = await session.read([
        { nodeId: registered[0], attributeId: AttributeIds.Value, indexRange: "2:4" },
        { nodeId: registered[1], attributeId: AttributeIds.Value, indexRange: "1:3" },
        { nodeId: registered[0], attributeId: AttributeIds.Value, indexRange: "10" },
        { nodeId: registered[0], attributeId: AttributeIds.Value, indexRange: "4:2" },
    ]);
    result.profileSlice = Array.from(read[0].value.value || []);
    result.programSlice = read[1].value.value;
    result.noDataStatus = read[2].statusCode.name;
    result.invalidStatus = read[3].statusCode.name;
    const writes = await session.write([
        { nodeId: registered[0], attributeId: AttributeIds.Value, indexRange: "1:2", value: { value: { dataType: DataType.Int32, arrayType: VariantArrayType.Array, value: new Int32Array([100, 101]) } } },
        { nodeId: registered[0], attributeId: AttributeIds.Value, indexRange: "1:3", value: { value: { dataType: DataType.Int32, arrayType: VariantArrayType.Array, value: new Int32Array([1]) } } },
    ]);
    result.writeStatuses = writes.map((s) => s.name);
    result.profileAfter = Array.from((await session.read({ nodeId: registered[0], attributeId: AttributeIds.Value })).value.value);
    await session.unregisterNodes(registered);

    const subscription = ClientSubscription.create(session, {
        requestedPublishingInterval: 50, requestedMaxKeepAliveCount: 10, requestedLifetimeCount: 600, maxNotificationsPerPublish: 0, publishingEnabled: true, priority: 0,
    });
    await new Promise((resolve) => subscription.once("started", resolve));
    const monitor = async (name) => {
        const item = ClientMonitoredItem.create(subscription, { nodeId: `ns=${ns};s=${name}`, attributeId: AttributeIds.Value }, { samplingInterval: 10, queueSize: 10, discardOldest: true }, TimestampsToReturn.Both);
        await new Promise((resolve) => item.once("initialized", resolve));
        return item;
    };
    const trigger = await monitor("Tag0");
    const linked = await monitor("Tag1");
    result.setMonitoringMode = (await session.setMonitoringMode({ subscriptionId: subscription.subscriptionId, monitoringMode: MonitoringMode.Sampling, monitoredItemIds: [linked.monitoredItemId, 999999] })).results.map((s) => s.name);
    const triggering = await session.setTriggering({ subscriptionId: subscription.subscriptionId, triggeringItemId: trigger.monitoredItemId, linksToAdd: [linked.monitoredItemId, 999999], linksToRemove: [] });
    result.setTriggering = triggering.addResults.map((s) => s.name);
    const linkedValue = new Promise((resolve) => linked.on("changed", (dataValue) => { if (dataValue.value.value === 5) resolve(5); }));
    await session.write({ nodeId: `ns=${ns};s=Tag1`, attributeId: AttributeIds.Value, value: { value: { dataType: DataType.Int32, value: 5 } } });
    await session.write({ nodeId: `ns=${ns};s=Tag0`, attributeId: AttributeIds.Value, value: { value: { dataType: DataType.Int32, value: 1 } } });
    result.triggeredValue = await withTimeout(linkedValue, "the linked item's value");

    const other = OPCUAClient.create(options);
    await other.connect(endpointUrl);
    const second = await other.createSession();
    const transfer = await second.transferSubscriptions({ subscriptionIds: [subscription.subscriptionId, 999999], sendInitialValues: true });
    result.transfer = transfer.results.map((r) => r.statusCode.name);
    await second.deleteSubscriptions({ subscriptionIds: [subscription.subscriptionId] }).then((r) => { result.deletedBySecond = r.results.map((s) => s.name); });
    console.log(`RESULT ${JSON.stringify(result)}`);
    process.exit(0);
}

main().catch((err) => fail(err && err.stack ? err.stack : String(err)));
