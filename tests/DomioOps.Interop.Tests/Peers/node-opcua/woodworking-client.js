// node-opcua client reading a woodworking machine (OPC 40550-1) served by our OPC UA server.
// Usage: node woodworking-client.js ENDPOINT_URL MACHINE_NAMESPACE_URI MACHINE_NAME
// Finds Objects/Machines/<MACHINE_NAME> by TranslateBrowsePath with the namespace indexes the server announces for
// Machinery, Woodworking, DI and the machine's own namespace, browses the machine, reads State/Machine/Overview
// CurrentState and CurrentMode (values, data types and the enumeration's EnumValues), Identification/Manufacturer and
// State/Machine/Flags/Emergency. Prints one line "RESULT <json>" and exits 0; any failure exits 1 with the reason.
"use strict";
const { fail, createPeerClient } = require("./peer-client");
const {
    AttributeIds, makeBrowsePath, StatusCodes,
} = require("node-opcua");

async function main() {
    const [endpointUrl, machineUri, machineName] = process.argv.slice(2);
    const client = createPeerClient();
    await client.connect(endpointUrl);
    const session = await client.createSession();
    const result = {};
    const namespaces = await session.readNamespaceArray();
    const index = (uri) => { const i = namespaces.indexOf(uri); if (i < 0) fail(`namespace ${uri} missing in ${namespaces}`); return i; };
    const machinery = index("http://opcfoundation.org/UA/Machinery/");
    const ww = index("http://opcfoundation.org/UA/Woodworking/");
    const di = index("http://opcfoundation.org/UA/DI/");
    const own = index(machineUri);

    const machinePath = `/${machinery}:Machines/${own}:${machineName}`;
    const translate = async (relative) => {
        const r = await session.translateBrowsePath(makeBrowsePath("ObjectsFolder", machinePath + relative));
        if (r.statusCode !== StatusCodes.Good) fail(`translate ${relative}: ${r.statusCode.name}`);
        return r.targets[0].targetId;
    };
    const machine = await translate("");
    result.machine = machine.toString();
    const children = await session.browse(machine);
    result.children = children.references.map((r) => r.browseName.toString()).sort();
    result.typeDefinition = children.references.length ? (await session.read({ nodeId: machine, attributeId: AttributeIds.BrowseName })).value.value.toString() : null;

    const state = await translate(`/${ww}:State/${ww}:Machine/${ww}:Overview/${ww}:CurrentState`);
    const mode = await translate(`/${ww}:State/${ww}:Machine/${ww}:Overview/${ww}:CurrentMode`);
    const manufacturer = await translate(`/${di}:Identification/${di}:Manufacturer`);
    const emergency = await translate(`/${ww}:State/${ww}:Machine/${ww}:Flags/${ww}:Emergency`);
    result.stateNodeId = state.toString();
    const values = await session.read([
        { nodeId: state, attributeId: AttributeIds.Value },
        { nodeId: mode, attributeId: AttributeIds.Value },
        { nodeId: manufacturer, attributeId: AttributeIds.Value },
        { nodeId: emergency, attributeId: AttributeIds.Value },
        { nodeId: state, attributeId: AttributeIds.DataType },
    ]);
    for (const v of values) if (v.statusCode !== StatusCodes.Good) fail(`read: ${v.statusCode.name}`);
    result.currentState = values[0].value.value;
    result.currentMode = values[1].value.value;
    result.manufacturer = values[2].value.value.text;
    result.emergency = values[3].value.value;
    const dataType = values[4].value.value;
    result.stateDataType = (await session.read({ nodeId: dataType, attributeId: AttributeIds.BrowseName })).value.value.toString();
    const enumValues = await session.translateBrowsePath({ startingNode: dataType, relativePath: { elements: [{ referenceTypeId: "i=46", isInverse: false, includeSubtypes: true, targetName: { namespaceIndex: 0, name: "EnumValues" } }] } });
    if (enumValues.statusCode !== StatusCodes.Good) fail(`EnumValues: ${enumValues.statusCode.name}`);
    const enumRead = await session.read({ nodeId: enumValues.targets[0].targetId, attributeId: AttributeIds.Value });
    // node-opcua gives Int64 as [high, low].
    result.stateNames = enumRead.value.value.map((e) => `${Array.isArray(e.value) ? e.value[1] : e.value}=${e.displayName.text}`);
    await session.close();
    await client.disconnect();
    console.log(`RESULT ${JSON.stringify(result)}`);
    process.exit(0);
}

main().catch((err) => fail(err && err.stack ? err.stack : String(err)));
