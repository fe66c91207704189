// node-opcua's own client as the baseline of the OPC UA load benchmark.
// Usage: node bench-client.js ENDPOINT_URL TAGS SAMPLING_MS SECONDS [PUBLISHING_MS] [QUEUE_SIZE] [WARMUP_S]
// Subscribes to ns(urn:domioops:peer);s=Tag0..Tag<TAGS-1> (publishing interval PUBLISHING_MS, default SAMPLING_MS; queue
// QUEUE_SIZE, default 1), waits until its items exist plus WARMUP_S (default 3) seconds, prints "START", counts data
// change notifications for SECONDS and prints "NOTIFICATIONS <count> <seconds> <cpu seconds>": the CPU time this process
// used (user + system, process.cpuUsage) during the counting window.
"use strict";
const path = require("path");
const {
    OPCUAClient, OPCUACertificateManager, MessageSecurityMode, SecurityPolicy, AttributeIds,
    ClientSubscription, ClientMonitoredItemGroup, TimestampsToReturn,
} = require("node-opcua");

async function main() {
    const [endpointUrl, tagsText, samplingText, secondsText, publishingText, queueText, warmupText] = process.argv.slice(2);
    const tags = parseInt(tagsText, 10);
    const sampling = parseInt(samplingText, 10);
    const seconds = parseFloat(secondsText);
    const publishing = parseInt(publishingText || samplingText, 10);
    const queueSize = parseInt(queueText || "1", 10);
    const warmup = parseFloat(warmupText || "3");
    const client = OPCUAClient.create({
        endpointMustExist: false, securityMode: MessageSecurityMode.None, securityPolicy: SecurityPolicy.None,
        connectionStrategy: { maxRetry: 0 }, clientCertificateManager: new OPCUACertificateManager({ rootFolder: path.join(__dirname, "pki-client") }),
    });
    await client.connect(endpointUrl);
    const session = await client.createSession();
    const ns = (await session.readNamespaceArray()).indexOf("urn:domioops:peer");
    const subscription = ClientSubscription.create(session, { requestedPublishingInterval: publishing, requestedMaxKeepAliveCount: 10, requestedLifetimeCount: 100, maxNotificationsPerPublish: 0, publishingEnabled: true });
    const items = [];
    for (let i = 0; i < tags; i++) items.push({ nodeId: `ns=${ns};s=Tag${i}`, attributeId: AttributeIds.Value });
    // node-opcua's item group does not split a call by the server's MaxMonitoredItemsPerCall (200 in server.js): batch here.
    const groups = [];
    let count = 0;
    for (let i = 0; i < items.length; i += 200) {
        const group = ClientMonitoredItemGroup.create(subscription, items.slice(i, i + 200), { samplingInterval: sampling, queueSize, discardOldest: true }, TimestampsToReturn.Both);
        group.on("changed", () => { count++; });
        groups.push(group);
    }
    const monitored = () => groups.flatMap((g) => g.monitoredItems);
    // Warm-up: wait until the server has created the items, then WARMUP_S seconds.
    for (let waited = 0; monitored().length < tags || monitored().some((m) => !m.statusCode || m.statusCode.name !== "Good"); waited += 100) {
        if (waited > 60000) throw new Error(`items not created: ${monitored()[0].statusCode}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await new Promise((resolve) => setTimeout(resolve, warmup * 1000));
    console.log("START");
    count = 0;
    const start = process.hrtime.bigint();
    const cpuStart = process.cpuUsage();
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const cpu = process.cpuUsage(cpuStart);
    const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    const total = count;
    console.log(`NOTIFICATIONS ${total} ${elapsed.toFixed(3)} ${((cpu.user + cpu.system) / 1e6).toFixed(3)}`);
    await subscription.terminate();
    await session.close();
    await client.disconnect();
    process.exit(0);
}

main().catch((err) => { console.error(err); process.exit(1); });
