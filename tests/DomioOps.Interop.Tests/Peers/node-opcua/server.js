// node-opcua server used as the independent peer of our OPC UA client.
// Usage: node server.js PORT [TAGS] [CHANGE_MS] [REVERSE_CONNECT_URL]
// Binds 127.0.0.1:PORT; SecurityPolicy None, Basic256Sha256 and Aes128_Sha256_RsaOaep (Sign, SignAndEncrypt), trusting
// unknown client certificates (a test peer only); anonymous and operator/s3cret users; namespace urn:domioops:peer with
// Objects/Saw1 {Speed (Double, writable, EURange 0..100), Pieces (Int32, read-only), Profile (Int32[10] 0..9, writable),
// Program (String "Walnut", writable), Grid (Int32 3x4 matrix 0..11 in row-major order, writable)} and Objects/Tags {Tag0..Tag<TAGS-1>, Int32, writable}.
// With CHANGE_MS every tag takes a new value every CHANGE_MS milliseconds (load benchmark).
// With REVERSE_CONNECT_URL the server also dials that client listener and sends ReverseHello (OPC 10000-6 §7.1.3).
// Prints "listening PORT" when ready. MaxMonitoredItemsPerCall is 200 so that a client must batch.
"use strict";
const path = require("path");
const {
    OPCUAServer, OPCUACertificateManager, Variant, VariantArrayType, DataType, SecurityPolicy, MessageSecurityMode, StatusCodes,
} = require("node-opcua");

async function main() {
    const port = parseInt(process.argv[2], 10);
    const tagCount = parseInt(process.argv[3] || "1000", 10);
    const changeMs = parseInt(process.argv[4] || "0", 10);
    const reverseConnectUrl = process.argv[5];
    const serverCertificateManager = new OPCUACertificateManager({
        rootFolder: path.join(__dirname, "pki"),
        automaticallyAcceptUnknownCertificate: true,
    });
    const server = new OPCUAServer({
        port,
        host: "127.0.0.1",
        hostname: "127.0.0.1",
        serverCertificateManager,
        securityPolicies: [SecurityPolicy.None, SecurityPolicy.Basic256Sha256, SecurityPolicy.Aes128_Sha256_RsaOaep],
        securityModes: [MessageSecurityMode.None, MessageSecurityMode.Sign, MessageSecurityMode.SignAndEncrypt],
        allowAnonymous: true,
        userManager: { isValidUser: (user, password) => user === "operator" && password === "s3cret" },
        serverCapabilities: { maxSessions: 20, operationLimits: { maxMonitoredItemsPerCall: 200, maxNodesPerRead: 500, maxNodesPerWrite: 500 } },
        buildInfo: { productName: "DomioOpsPeer" },
        reverseConnect: reverseConnectUrl ? { connections: [{ endpointUrl: reverseConnectUrl }], reconnectDelay: 200 } : undefined,
    });
    await server.initialize();
    const addressSpace = server.engine.addressSpace;
    const ns = addressSpace.registerNamespace("urn:domioops:peer");
    const objects = addressSpace.rootFolder.objects;
    const saw = ns.addObject({ organizedBy: objects, browseName: "Saw1", nodeId: "s=Saw1" });
    ns.addAnalogDataItem({
        componentOf: saw, browseName: "Speed", nodeId: "s=Saw1.Speed", dataType: "Double",
        engineeringUnitsRange: { low: 0, high: 100 }, accessLevel: "CurrentRead | CurrentWrite", userAccessLevel: "CurrentRead | CurrentWrite",
        value: new Variant({ dataType: DataType.Double, value: 1.0 }), minimumSamplingInterval: 10,
    });
    ns.addVariable({
        componentOf: saw, browseName: "Pieces", nodeId: "s=Saw1.Pieces", dataType: "Int32",
        accessLevel: "CurrentRead", userAccessLevel: "CurrentRead",
        value: new Variant({ dataType: DataType.Int32, value: 0 }), minimumSamplingInterval: 10,
    });
    ns.addVariable({
        componentOf: saw, browseName: "Profile", nodeId: "s=Saw1.Profile", dataType: "Int32", valueRank: 1, arrayDimensions: [10],
        accessLevel: "CurrentRead | CurrentWrite", userAccessLevel: "CurrentRead | CurrentWrite",
        value: new Variant({ dataType: DataType.Int32, arrayType: VariantArrayType.Array, value: new Int32Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]) }), minimumSamplingInterval: 10,
    });
    ns.addVariable({
        componentOf: saw, browseName: "Program", nodeId: "s=Saw1.Program", dataType: "String",
        accessLevel: "CurrentRead | CurrentWrite", userAccessLevel: "CurrentRead | CurrentWrite",
        value: new Variant({ dataType: DataType.String, value: "Walnut" }), minimumSamplingInterval: 10,
    });
    ns.addVariable({
        componentOf: saw, browseName: "Grid", nodeId: "s=Saw1.Grid", dataType: "Int32", valueRank: 2, arrayDimensions: [3, 4],
        accessLevel: "CurrentRead | CurrentWrite", userAccessLevel: "CurrentRead | CurrentWrite",
        value: new Variant({
            dataType: DataType.Int32, arrayType: VariantArrayType.Matrix, dimensions: [3, 4],
            value: new Int32Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]),
        }),
        minimumSamplingInterval: 10,
    });
    const tags = ns.addFolder(objects, { browseName: "Tags", nodeId: "s=Tags" });
    const tagNodes = [];
    for (let i = 0; i < tagCount; i++) {
        tagNodes[i] = ns.addVariable({
            organizedBy: tags, browseName: `Tag${i}`, nodeId: `s=Tag${i}`, dataType: "Int32",
            accessLevel: "CurrentRead | CurrentWrite", userAccessLevel: "CurrentRead | CurrentWrite",
            value: new Variant({ dataType: DataType.Int32, value: 0 }), minimumSamplingInterval: 10,
        });
    }
    if (changeMs > 0) {
        let tick = 0;
        setInterval(() => {
            tick++;
            for (const node of tagNodes) node.setValueFromSource(new Variant({ dataType: DataType.Int32, value: tick }));
        }, changeMs);
    }
    await server.start();
    console.log(`listening ${port}`);
    console.log(`endpoint ${server.getEndpointUrl()}`);
    const stop = async () => { await server.shutdown(0); process.exit(0); };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
}

main().catch((err) => { console.error("server failed", err); process.exit(1); });
