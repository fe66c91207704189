// node-opcua client reading a simulated CNC router as an independent OPC UA peer.
// Usage: node woodworking-client.js ENDPOINT_URL MACHINE_ID
// Looks the namespaces up by URI, translates the OPC 40550-1 browse paths of the machine under
// Objects/Machines, reads state, mode, flags, counters and the spindle, and subscribes to the piece counter
// for three seconds. Prints one line "RESULT <json>" and exits 0; any failure exits 1 with the reason.
"use strict";
const { OPCUAClient, MessageSecurityMode, SecurityPolicy, AttributeIds, makeBrowsePath, ClientSubscription, ClientMonitoredItem, TimestampsToReturn } = require("node-opcua");

function fail(message) {
    console.error(`FAIL ${message}`);
    process.exit(1);
}

async function main() {
    const [endpointUrl, machine] = process.argv.slice(2);
    const client = OPCUAClient.create({
        applicationName: "DomioOpsSimulatorPeer",
        endpointMustExist: false,
        securityMode: MessageSecurityMode.None,
        securityPolicy: SecurityPolicy.None,
        connectionStrategy: { maxRetry: 0, initialDelay: 100 },
    });
    await client.connect(endpointUrl);
    const session = await client.createSession();
    const namespaces = await session.readNamespaceArray();
    const ns = (uri) => {
        const index = namespaces.indexOf(uri);
        if (index < 0) fail(`namespace ${uri} missing in ${namespaces}`);
        return index;
    };
    const ww = ns("http://opcfoundation.org/UA/Woodworking/");
    const machinery = ns("http://opcfoundation.org/UA/Machinery/");
    const sim = ns("urn:domioops:simulators");
    const root = `/${machinery}:Machines/${sim}:${machine}`;
    const paths = {
        currentState: `${root}/${ww}:State/${ww}:Machine/${ww}:Overview/${ww}:CurrentState`,
        currentMode: `${root}/${ww}:State/${ww}:Machine/${ww}:Overview/${ww}:CurrentMode`,
        machineOn: `${root}/${ww}:State/${ww}:Machine/${ww}:Flags/${ww}:MachineOn`,
        piecesOut: `${root}/${ww}:State/${ww}:Machine/${ww}:Values/${ww}:AbsolutePiecesOut`,
        workingTime: `${root}/${ww}:State/${ww}:Machine/${ww}:Values/${ww}:AbsoluteWorkingTime`,
        spindleSpeed: `${root}/${sim}:Spindle/${sim}:Speed`,
        vibration: `${root}/${sim}:Spindle/${sim}:Vibration`,
    };
    const result = { namespaces: { ww, machinery, sim }, values: {}, nodeIds: {} };
    for (const [name, path] of Object.entries(paths)) {
        const translated = await session.translateBrowsePath(makeBrowsePath("ObjectsFolder", path));
        if (!translated.targets || translated.targets.length !== 1) fail(`${path} does not translate: ${translated.statusCode.name}`);
        const nodeId = translated.targets[0].targetId.toString();
        result.nodeIds[name] = nodeId;
        const value = await session.read({ nodeId, attributeId: AttributeIds.Value });
        if (value.statusCode.name !== "Good") fail(`${path}: ${value.statusCode.name}`);
        const v = value.value.value;
        result.values[name] = typeof v === "object" && v !== null && "length" in v ? v.toString() : (typeof v === "bigint" ? Number(v) : v);
        if (Array.isArray(v) && v.length === 2) result.values[name] = v[0] * 4294967296 + v[1];
    }

    const machineNode = await session.translateBrowsePath(makeBrowsePath("ObjectsFolder", root));
    const browse = await session.browse(machineNode.targets[0].targetId.toString());
    result.machineChildren = browse.references.map((r) => r.browseName.toString()).sort();

    const subscription = ClientSubscription.create(session, { requestedPublishingInterval: 100, requestedMaxKeepAliveCount: 20, publishingEnabled: true });
    const changes = [];
    const item = ClientMonitoredItem.create(subscription, { nodeId: result.nodeIds.piecesOut, attributeId: AttributeIds.Value },
        { samplingInterval: 100, discardOldest: true, queueSize: 10 }, TimestampsToReturn.Both);
    item.on("changed", (dataValue) => {
        const v = dataValue.value.value;
        changes.push(Array.isArray(v) ? v[0] * 4294967296 + v[1] : Number(v));
    });
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await subscription.terminate();
    result.pieceChanges = changes;
    await session.close();
    await client.disconnect();
    console.log(`RESULT ${JSON.stringify(result)}`);
}

main().catch((e) => fail(e.message));
