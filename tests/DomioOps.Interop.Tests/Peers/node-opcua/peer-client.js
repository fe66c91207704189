// What every node-opcua client peer script shares: how a failure is reported and how its client is created.
"use strict";
const path = require("path");
const { OPCUAClient, OPCUACertificateManager, MessageSecurityMode, SecurityPolicy } = require("node-opcua");

/** Prints "FAIL message" on stderr and exits 1: the test reads the line and the exit code. */
function fail(message) {
    console.error(`FAIL ${message}`);
    process.exit(1);
}

/** A node-opcua client that connects once (no retries) with the given security, its PKI under pki-client/. */
function createPeerClient(securityMode = MessageSecurityMode.None, securityPolicy = SecurityPolicy.None) {
    return OPCUAClient.create({
        applicationName: "DomioOpsPeerClient",
        endpointMustExist: false,
        securityMode,
        securityPolicy,
        connectionStrategy: { maxRetry: 0, initialDelay: 100 },
        // A test peer may trust the server under test without asking; our own stack never does that.
        clientCertificateManager: new OPCUACertificateManager({ rootFolder: path.join(__dirname, "pki-client"), automaticallyAcceptUnknownCertificate: true }),
        requestedSessionTimeout: 30000,
    });
}

module.exports = { fail, createPeerClient };
