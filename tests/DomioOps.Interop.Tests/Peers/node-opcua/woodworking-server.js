// node-opcua server exposing woodworking machines exactly as published: the standard, DI, IA, Machinery, ISA-95 job
// control, Machinery Jobs and Woodworking (OPC 40550-1) NodeSet2 files, plus the Eumabois file whose two example machines
// (a CNC working centre and an edgebander, WwMachineType under Objects/Machines) the edge's woodworking auto-mapping must
// find. Used by tests/DomioOps.Edge.Tests (OpcUaWoodworkingTests); lives here to share this folder's node_modules.
// Usage: node woodworking-server.js PORT [TICK_MS]
// Binds 127.0.0.1:PORT, SecurityPolicy None, anonymous. Every TICK_MS (default 200) the edgebander produces a piece:
// its RelativePiecesIn, RelativePiecesOut and RelativeRunsGood go up by one, and its FeedSpeed alternates 40/41.
// Prints "listening PORT" when ready.
"use strict";
const path = require("path");
const { OPCUAServer, OPCUACertificateManager, Variant, DataType, VariantArrayType, nodesets } = require("node-opcua");

async function main() {
    const port = parseInt(process.argv[2], 10);
    const tickMs = parseInt(process.argv[3] || "200", 10);
    const folder = path.join(path.dirname(require.resolve("node-opcua-nodesets/package.json")), "nodesets");
    const server = new OPCUAServer({
        port,
        host: "127.0.0.1",
        hostname: "127.0.0.1",
        serverCertificateManager: new OPCUACertificateManager({ rootFolder: path.join(__dirname, "pki-woodworking"), automaticallyAcceptUnknownCertificate: true }),
        nodeset_filename: [
            nodesets.standard, nodesets.di, nodesets.ia, nodesets.machinery, nodesets.isa95JobControl, nodesets.machineryJobs,
            nodesets.woodWorking, path.join(folder, "Opc.Ua.Eumabois.Nodeset2.xml"),
        ],
        allowAnonymous: true,
        buildInfo: { productName: "DomioOpsWoodworkingPeer" },
    });
    await server.initialize();
    const addressSpace = server.engine.addressSpace;
    const eumabois = addressSpace.getNamespaceIndex("http://opcfoundation.org/UA/Eumabois/");
    const variable = (id) => {
        const node = addressSpace.findNode(`ns=${eumabois};i=${id}`);
        if (!node) throw new Error(`Eumabois node i=${id} not found`);
        node.minimumSamplingInterval = 0;
        return node;
    };
    // The edgebander's Values (Opc.Ua.Eumabois.Nodeset2.xml): RelativePiecesIn 6240, RelativePiecesOut 6242, RelativeRunsGood 6258, FeedSpeed 6221.
    const counters = [6240, 6242, 6258].map(variable);
    const feed = variable(6221);
    let tick = 0;
    setInterval(() => {
        tick++;
        for (const node of counters) {
            // node-opcua holds a UInt64 as [high, low].
            const [high, low] = node.readValue().value.value;
            node.setValueFromSource(new Variant({ dataType: DataType.UInt64, arrayType: VariantArrayType.Scalar, value: [high, low + 1] }));
        }
        feed.setValueFromSource(new Variant({ dataType: DataType.Double, value: 40 + (tick % 2) }));
    }, tickMs);
    await server.start();
    console.log(`listening ${port}`);
    const stop = async () => { await server.shutdown(0); process.exit(0); };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
}

main().catch((err) => { console.error("server failed", err); process.exit(1); });
