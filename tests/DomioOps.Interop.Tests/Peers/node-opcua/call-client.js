// node-opcua client calling methods of our OPC UA server.
// Usage: node call-client.js ENDPOINT_URL OBJECT_ID METHOD_ID
// Reads the method's argument definitions (InputArguments/OutputArguments), calls it with ("door-panel.nc" String,
// 12 UInt32), then with one argument missing and with a wrong type. Prints "RESULT <json>" and exits 0; failures exit 1.
"use strict";
const { fail, createPeerClient } = require("./peer-client");
const { DataType } = require("node-opcua");

async function main() {
    const [endpointUrl, objectId, methodId] = process.argv.slice(2);
    const client = createPeerClient();
    await client.connect(endpointUrl);
    const session = await client.createSession();
    const result = {};
    const definition = await session.getArgumentDefinition(methodId);
    result.inputArguments = definition.inputArguments.map((a) => `${a.name}:${a.dataType.toString()}`);
    result.outputArguments = definition.outputArguments.map((a) => `${a.name}:${a.dataType.toString()}`);
    const good = await session.call({
        objectId, methodId,
        inputArguments: [{ dataType: DataType.String, value: "door-panel.nc" }, { dataType: DataType.UInt32, value: 12 }],
    });
    result.status = good.statusCode.name;
    result.outputs = good.outputArguments.map((v) => v.value);
    const missing = await session.call({ objectId, methodId, inputArguments: [{ dataType: DataType.String, value: "x" }] });
    result.missingStatus = missing.statusCode.name;
    const wrong = await session.call({
        objectId, methodId,
        inputArguments: [{ dataType: DataType.String, value: "x" }, { dataType: DataType.Double, value: 1.5 }],
    });
    result.wrongStatus = wrong.statusCode.name;
    result.wrongArgumentResults = (wrong.inputArgumentResults || []).map((s) => s.name);
    await session.close();
    await client.disconnect();
    console.log(`RESULT ${JSON.stringify(result)}`);
    process.exit(0);
}

main().catch((err) => fail(err && err.stack ? err.stack : String(err)));
