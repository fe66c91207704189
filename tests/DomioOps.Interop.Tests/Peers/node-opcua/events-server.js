// node-opcua server raising events and serving methods, the peer of our client's event items and Call.
// Usage: node events-server.js PORT
// Binds 127.0.0.1:PORT, SecurityPolicy None, anonymous. Namespace urn:domioops:peer with Objects/Saw1 (EventNotifier
// SubscribeToEvents) and two methods on it:
//   RaiseEvent(Message String, Severity UInt16, System Boolean) -> (Raised UInt32): raises a BaseEventType event (a
//     SystemEventType one when System is true) from Saw1 and returns how many it raised so far;
//   Multiply(A Double, B Double) -> (Product Double);
//   SetAlarm(Active Boolean): activates or deactivates the alarm condition Saw1.BladeBroken (AlarmConditionType with
//     ConfirmedState and Confirm, condition source Saw1), which clients acknowledge and confirm (OPC 10000-9).
// Prints "listening PORT" when ready. (node-opcua takes a bound method with two parameters for a promise-returning one.)
"use strict";
const path = require("path");
const { OPCUAServer, OPCUACertificateManager, Variant, DataType, StatusCodes, SecurityPolicy, MessageSecurityMode, NodeId } = require("node-opcua");

async function main() {
    const port = parseInt(process.argv[2], 10);
    const server = new OPCUAServer({
        port,
        host: "127.0.0.1",
        hostname: "127.0.0.1",
        serverCertificateManager: new OPCUACertificateManager({ rootFolder: path.join(__dirname, "pki"), automaticallyAcceptUnknownCertificate: true }),
        securityPolicies: [SecurityPolicy.None],
        securityModes: [MessageSecurityMode.None],
        allowAnonymous: true,
        buildInfo: { productName: "DomioOpsEventsPeer" },
    });
    await server.initialize();
    const addressSpace = server.engine.addressSpace;
    const ns = addressSpace.registerNamespace("urn:domioops:peer");
    const saw = ns.addObject({
        organizedBy: addressSpace.rootFolder.objects, browseName: "Saw1", nodeId: "s=Saw1", eventNotifier: 1,
        eventSourceOf: addressSpace.rootFolder.objects.server,
    });
    let raised = 0;
    const raiseEvent = ns.addMethod(saw, {
        browseName: "RaiseEvent", nodeId: "s=Saw1.RaiseEvent",
        inputArguments: [
            { name: "Message", dataType: DataType.String },
            { name: "Severity", dataType: DataType.UInt16 },
            { name: "System", dataType: DataType.Boolean },
        ],
        outputArguments: [{ name: "Raised", dataType: DataType.UInt32 }],
    });
    raiseEvent.bindMethod(async (inputs, _context) => {
        const [message, severity, system] = inputs.map((v) => v.value);
        saw.raiseEvent(system ? "SystemEventType" : "BaseEventType", {
            message: { dataType: DataType.LocalizedText, value: { text: message } },
            severity: { dataType: DataType.UInt16, value: severity },
        });
        raised++;
        return { statusCode: StatusCodes.Good, outputArguments: [new Variant({ dataType: DataType.UInt32, value: raised })] };
    });
    const multiply = ns.addMethod(saw, {
        browseName: "Multiply", nodeId: "s=Saw1.Multiply",
        inputArguments: [{ name: "A", dataType: DataType.Double }, { name: "B", dataType: DataType.Double }],
        outputArguments: [{ name: "Product", dataType: DataType.Double }],
    });
    multiply.bindMethod(async (inputs, _context) => ({
        statusCode: StatusCodes.Good,
        outputArguments: [new Variant({ dataType: DataType.Double, value: inputs[0].value * inputs[1].value })],
    }));
    addressSpace.installAlarmsAndConditionsService(); // binds ConditionRefresh (i=3875)
    const alarm = ns.instantiateAlarmCondition("AlarmConditionType", {
        browseName: "BladeBroken", nodeId: "s=Saw1.BladeBroken", componentOf: saw, conditionSource: saw,
        inputNode: NodeId.nullNodeId, optionals: ["ConfirmedState", "Confirm"],
    });
    const setAlarm = ns.addMethod(saw, {
        browseName: "SetAlarm", nodeId: "s=Saw1.SetAlarm",
        inputArguments: [{ name: "Active", dataType: DataType.Boolean }],
        outputArguments: [],
    });
    setAlarm.bindMethod(async (inputs, _context) => {
        // activateAlarm only sets the states; raiseNewCondition reports them with a new EventId.
        if (inputs[0].value) {
            alarm.activateAlarm();
            alarm.raiseNewCondition({ message: "Blade broken", severity: 800, retain: true });
        } else {
            alarm.deactivateAlarm();
            alarm.raiseNewCondition({ message: "Blade replaced", severity: 100, retain: true });
        }
        return { statusCode: StatusCodes.Good, outputArguments: [] };
    });
    await server.start();
    console.log(`listening ${port}`);
    const stop = async () => { await server.shutdown(0); process.exit(0); };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
}

main().catch((err) => { console.error("server failed", err); process.exit(1); });
