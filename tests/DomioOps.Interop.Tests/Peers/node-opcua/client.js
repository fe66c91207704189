// node-opcua client used as the independent peer of our OPC UA server.
// Usage: node client.js ENDPOINT_URL [USER PASSWORD] [TAGS] [POLICY MODE]   (POLICY e.g. Basic256Sha256, MODE e.g. SignAndEncrypt)
// Expects our test address space: namespace urn:domioops:test with Objects/Machines/Saw1/Speed (Double, writable)
// and Objects/Tags/Tag0..Tag<TAGS-1> (Int32, writable). Browses, translates, reads, writes, then subscribes to every
// tag at 100 ms sampling, writes three rounds of new values and checks that each change arrives exactly once.
// Prints one line "RESULT <json>" and exits 0; any failure exits 1 with the reason.
"use strict";
const { fail, createPeerClient } = require("./peer-client");
const {
    MessageSecurityMode, SecurityPolicy, AttributeIds, DataType, UserTokenType,
    ClientSubscription, ClientMonitoredItemGroup, TimestampsToReturn, makeBrowsePath, StatusCodes,
} = require("node-opcua");

async function main() {
    const endpointUrl = process.argv[2];
    const user = process.argv[3] && process.argv[3] !== "-" ? process.argv[3] : null;
    const password = process.argv[4] || null;
    const tagCount = parseInt(process.argv[5] || "1000", 10);
    const policy = process.argv[6] ? SecurityPolicy[process.argv[6]] : SecurityPolicy.None;
    const mode = process.argv[7] ? MessageSecurityMode[process.argv[7]] : MessageSecurityMode.None;
    const client = createPeerClient(mode, policy);
    await client.connect(endpointUrl);
    const session = user
        ? await client.createSession({ type: UserTokenType.UserName, userName: user, password })
        : await client.createSession();
    const result = {};

    const namespaces = await session.readNamespaceArray();
    const ns = namespaces.indexOf("urn:domioops:test");
    if (ns < 0) fail(`namespace missing in ${namespaces}`);
    result.namespaceIndex = ns;

    const browse = await session.browse("ns=0;i=85");
    result.objects = browse.references.map((r) => r.browseName.toString()).sort();

    const paths = await session.translateBrowsePath(makeBrowsePath("ObjectsFolder", `/${ns}:Machines/${ns}:Saw1/${ns}:Speed`));
    result.translated = paths.targets.map((t) => t.targetId.toString());

    const speed = `ns=${ns};s=Saw1.Speed`;
    const before = await session.read({ nodeId: speed, attributeId: AttributeIds.Value });
    result.speedBefore = before.value.value;
    const writeStatus = await session.write({ nodeId: speed, attributeId: AttributeIds.Value, value: { value: { dataType: DataType.Double, value: 42.5 } } });
    result.writeStatus = writeStatus.name;
    const after = await session.read({ nodeId: speed, attributeId: AttributeIds.Value });
    result.speedAfter = after.value.value;
    const displayName = await session.read({ nodeId: speed, attributeId: AttributeIds.DisplayName });
    result.displayName = displayName.value.value.text;
    const missing = await session.read({ nodeId: `ns=${ns};s=Missing`, attributeId: AttributeIds.Value });
    result.missingStatus = missing.statusCode.name;

    const subscription = ClientSubscription.create(session, {
        requestedPublishingInterval: 100, requestedMaxKeepAliveCount: 10, requestedLifetimeCount: 100,
        maxNotificationsPerPublish: 0, publishingEnabled: true, priority: 0,
    });
    const items = [];
    for (let i = 0; i < tagCount; i++) items.push({ nodeId: `ns=${ns};s=Tag${i}`, attributeId: AttributeIds.Value });
    const group = ClientMonitoredItemGroup.create(subscription, items, { samplingInterval: 100, queueSize: 10, discardOldest: true }, TimestampsToReturn.Both);
    let round = 0;
    let pending = new Set(items.map((_, i) => i));
    let wrong = 0;
    let duplicates = 0;
    let received = 0;
    let roundDone = null;
    group.on("changed", (_item, dataValue, index) => {
        received++;
        const expected = round === 0 ? 0 : round * 10000 + index;
        if (dataValue.value.value !== expected) wrong++;
        if (!pending.delete(index)) duplicates++;
        if (pending.size === 0 && roundDone) { const done = roundDone; roundDone = null; done(); }
    });
    const waitRound = () => new Promise((resolve, reject) => {
        if (pending.size === 0) return resolve();
        roundDone = resolve;
        setTimeout(() => reject(new Error(`round ${round}: ${pending.size} items missing`)), 30000);
    });
    await new Promise((resolve) => group.once("initialized", resolve));
    result.itemsCreated = group.monitoredItems.filter((m) => m.statusCode === StatusCodes.Good).length;
    await waitRound();
    for (round = 1; round <= 3; round++) {
        pending = new Set(items.map((_, i) => i));
        const nodesToWrite = items.map((item, i) => ({ nodeId: item.nodeId, attributeId: AttributeIds.Value, value: { value: { dataType: DataType.Int32, value: round * 10000 + i } } }));
        const statuses = await session.write(nodesToWrite);
        if (statuses.some((s) => s !== StatusCodes.Good)) fail(`write round ${round}: ${statuses.find((s) => s !== StatusCodes.Good).name}`);
        await waitRound();
    }
    result.rounds = 3;
    result.received = received;
    result.wrong = wrong;
    result.duplicates = duplicates;
    await subscription.terminate();
    await session.close();
    await client.disconnect();
    console.log(`RESULT ${JSON.stringify(result)}`);
    process.exit(0);
}

main().catch((err) => fail(err && err.stack ? err.stack : String(err)));
